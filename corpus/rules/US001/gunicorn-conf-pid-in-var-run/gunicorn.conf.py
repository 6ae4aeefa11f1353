bind = "0.0.0.0:8000"
pidfile = "/var/run/gunicorn.pid"
workers = 2
