#!/bin/bash
set -e
echo "starting $*"
exec "$@"
