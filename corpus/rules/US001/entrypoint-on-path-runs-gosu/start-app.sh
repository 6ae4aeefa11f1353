#!/bin/sh
set -e
mkdir -p /srv/data
exec gosu daemon /usr/local/bin/serve --port 8080
