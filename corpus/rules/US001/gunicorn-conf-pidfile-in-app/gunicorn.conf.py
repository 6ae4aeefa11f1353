bind = "0.0.0.0:8000"
pidfile = "gunicorn.pid"
worker_tmp_dir = "/dev/shm"
