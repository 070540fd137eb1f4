"""The task queue: Huey, on a SQLite file beside the database by default (nothing more to run
for ``make run``), on Redis for a deployment with several workers (``TABLEE_QUEUE_URL``).

The queue only carries job ids: what a job is, its progress and its outcome live in the
database (``Job``), so pages read them the same whichever queue is used, and a message lost
with a killed worker is sent again by ``recover`` (at the worker's start, then every minute).
"""

from __future__ import annotations

import contextvars
import logging
import os
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from huey import Huey, MemoryHuey, PostgresHuey, RedisHuey, SqliteHuey, crontab
from huey.exceptions import RetryTask

from governance.db import writes_in_turn
from governance.extensions import db
from governance.jobs.models import Job, JobStatus

log = logging.getLogger(__name__)
MAIL_RETRY_SECONDS = 60


def _huey(app: Flask) -> Huey:
    url = app.config["QUEUE_URL"] or f"sqlite:///{Path(app.instance_path) / 'queue.db'}"
    if url == "immediate":  # tests only: each job runs at once, in the process that sent it
        return MemoryHuey("tablee", immediate=True)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("tablee", url=url)
    if url.startswith(("postgres://", "postgresql://")):  # its own tables, huey_*
        return PostgresHuey("tablee", dsn=url.replace("postgres://", "postgresql://", 1))
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey("tablee", filename=str(path))
    raise ValueError(f"TABLEE_QUEUE_URL: sqlite:///, postgresql:// or redis:// expected: {url!r}")


class Queue:
    """The app's queue: ``send(job_id)`` after the job's row is committed."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.huey = _huey(app)
        self.run_job = self.huey.task(name="tablee.run_job")(self._run_job)
        self.deliver_mail = self.huey.task(name="tablee.deliver_mail")(self._deliver_mail)
        self.huey.periodic_task(crontab(minute="*"), name="tablee.every_minute")(self._minute)

    def _in_app(self, work: Any, *args: Any) -> Any:
        """In an app context of its own, outside any request (even in immediate mode)."""

        def call() -> Any:
            writes_in_turn()  # its writes wait in the writers' queue, as requests do
            with self.app.app_context():
                try:
                    return work(*args)
                finally:
                    db.session.remove()

        return contextvars.Context().run(call)

    def _run_job(self, job_id: int) -> None:
        from governance.jobs import services

        self._in_app(services.run, job_id)

    def _deliver_mail(self) -> None:
        """Send the outbox; while refused messages wait for another try, Huey retries later."""
        from governance import mail

        if self._in_app(lambda: mail.deliver_pending() and mail.waiting()):
            raise RetryTask(delay=MAIL_RETRY_SECONDS)  # at most mail.MAX_ATTEMPTS in all

    def _minute(self) -> None:
        from governance import mail
        from governance.jobs import backups

        self.recover()
        self._in_app(_close_due_rounds)  # online consent: rounds past their deadline counted
        self._in_app(mail.deliver_pending)
        job_id = self._in_app(backups.tick)
        if job_id is not None:
            self.send(job_id)

    def recover(self) -> None:
        from governance.jobs import services

        for job_id in self._in_app(services.recover):
            self.send(job_id)

    def send_mail(self) -> None:
        try:
            self.deliver_mail()
        except Exception:  # the queue is down: the outbox keeps them for the next minute
            if self.huey.immediate:
                raise
            log.exception("mail could not be queued now")

    def send(self, job_id: int) -> None:
        try:
            self.run_job(job_id)
        except Exception:  # the queue is down: the job stays queued, ``recover`` sends it later
            if self.huey.immediate:
                raise
            log.exception("job %s could not be queued now", job_id)


def _close_due_rounds() -> None:
    from governance.votes import online

    online.close_due()
    db.session.commit()


def queue() -> Queue:
    return current_app.extensions["tablee_queue"]


def launch(job: Job) -> int:
    """Commit the request's transaction, then send the job (if it is a new one): the worker
    must find its row. Nothing is read after the commit, so the request holds no transaction
    while the job runs (at once, in tests)."""
    job_id, new = job.id, job.status is JobStatus.QUEUED and job.attempts == 0
    db.session.commit()
    if new:
        queue().send(job_id)
    return job_id


def run_worker(workers: int = 2, periodic: bool = True) -> None:
    """Send again what a stopped worker left, then take jobs until stopped (SIGTERM, Ctrl-C)."""
    q = queue()
    q.recover()
    consumer = q.huey.create_consumer(
        workers=workers, worker_type="thread", periodic=periodic, max_delay=2.0
    )
    consumer.run()


@click.command("worker")
@click.option("--workers", default=2, show_default=True, help="Jobs run at the same time.")
@click.option(
    "--nice",
    "niceness",
    default=10,
    show_default=True,
    type=click.IntRange(0, 19),
    help="How much the worker yields the processor to the web server (0: not at all).",
)
@with_appcontext
def worker_command(workers: int, niceness: int) -> None:
    """Run the queue's worker: long jobs, mails, scheduled backups (stop it with Ctrl-C)."""
    # A member saving an answer must not wait for the processor behind a 100 000-line import:
    # the web server's processes keep their priority, the worker's work fills the rest.
    if niceness and hasattr(os, "nice"):
        os.nice(niceness)
    run_worker(workers)


def init_app(app: Flask) -> None:
    app.extensions["tablee_queue"] = Queue(app)
    app.cli.add_command(worker_command)
