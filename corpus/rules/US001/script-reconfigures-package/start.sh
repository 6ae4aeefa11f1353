#!/bin/bash
set -e
dpkg-reconfigure -f noninteractive tzdata
exec /usr/local/bin/directory --port 8389
