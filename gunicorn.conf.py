"""Production server settings; every value can be overridden by TABLEE_GUNICORN_* variables."""

import os

bind = os.environ.get("TABLEE_GUNICORN_BIND", "127.0.0.1:5000")
workers = int(os.environ.get("TABLEE_GUNICORN_WORKERS", "4"))
worker_class = "gthread"
threads = int(os.environ.get("TABLEE_GUNICORN_THREADS", "4"))
keepalive = 5
accesslog = os.environ.get("TABLEE_GUNICORN_ACCESSLOG") or None
