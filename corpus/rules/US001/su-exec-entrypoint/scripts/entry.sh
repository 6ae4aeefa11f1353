#!/bin/sh
set -e
chown -R nobody /srv/app/data
exec su-exec nobody "$@"
