"""Long work in the background: the queue, its jobs and their pages."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from governance.jobs import backups, queue
    from governance.jobs.models import JobStatus
    from governance.jobs.routes import STATUS_LABELS

    queue.init_app(app)
    app.jinja_env.globals.update(job_status_labels=STATUS_LABELS, JobStatus=JobStatus)
    assert backups.backup  # the scheduled copy, a kind of job
