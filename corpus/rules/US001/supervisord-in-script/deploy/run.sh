#!/bin/sh
set -e
python manage.py migrate
exec supervisord -n -c /app/supervisord.conf
