#!/bin/bash
set -e
/etc/init.d/cron start
exec "$@"
