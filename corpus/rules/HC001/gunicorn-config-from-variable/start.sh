#!/bin/sh
set -e
exec gunicorn -k uvicorn.workers.UvicornWorker -c "$GUNICORN_CONF" main:app
