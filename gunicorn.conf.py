"""Production server settings; every value can be overridden by TABLEE_GUNICORN_* variables."""

import os

bind = os.environ.get("TABLEE_GUNICORN_BIND", "127.0.0.1:5000")
workers = int(os.environ.get("TABLEE_GUNICORN_WORKERS", "4"))
worker_class = "gthread"
threads = int(os.environ.get("TABLEE_GUNICORN_THREADS", "4"))
keepalive = 5
accesslog = os.environ.get("TABLEE_GUNICORN_ACCESSLOG") or None


def post_worker_init(worker):
    """Once the app is loaded, its ~200 000 long-lived objects (modules, mappings, templates,
    catalogs) are moved out of the garbage collector's sight: a full collection walked them
    all (0.25 to 0.3 s measured in-process on a busy 2-core machine), stopping every thread of
    the worker, for example in the middle of a burst of 61 positions."""
    import gc

    gc.freeze()
