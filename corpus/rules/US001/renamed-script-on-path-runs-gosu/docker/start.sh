#!/bin/sh
set -e
mkdir -p /opt/app/data
exec gosu nobody /opt/app/app
