#!/bin/sh
celery -A app worker &
exec gunicorn app:app
