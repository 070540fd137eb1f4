"""Long work, done by the queue's worker: start a job once, claim it, report its progress,
record its outcome in the same transaction as the work itself.

A kind of job is registered by the domain that does it (``register``), with the roles that may
start and follow it. The worker runs ``run(job_id)``: it claims the job (a job already claimed
by a live worker, or finished, is left alone), reads without the write lock, and the handler
returns after its own short write, uncommitted; the job's outcome is added to that transaction
and committed with it. Killed half-way, nothing of the write is there, the job stays
``running`` with a heartbeat that stops: ``recover`` sends it again and it completes once (the
handlers are idempotent: the books by their keys, the draw's chances by their inputs).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import or_, select, update

from governance.db import Scope, begin_writing, read_first, utcnow
from governance.errors import DomainError
from governance.extensions import db
from governance.jobs.models import Job, JobStatus
from governance.people.models import Role

log = logging.getLogger(__name__)
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


class Refused(Exception):
    """The work cannot be done as asked: the reasons, for the page; nothing is written."""

    def __init__(self, reasons: list[str], **details: Any) -> None:
        super().__init__(" ".join(reasons))
        self.result = {"reasons": reasons, **details}


@dataclass
class Progress:
    """Given to a handler: ``step(phase, done, total)`` shows where the work stands (written at
    most twice a second, each time in a short transaction of its own)."""

    job_id: int
    last: float = 0.0
    shown: tuple[str, int, int] = ("", 0, 0)
    every: float = 0.5
    extra: dict[str, Any] = field(default_factory=dict)

    def step(self, phase: str, done: int = 0, total: int = 0) -> None:
        now = time.monotonic()
        if phase == self.shown[0] and now - self.last < self.every:
            return
        self.last, self.shown = now, (phase, done, total)
        db.session.commit()  # end the read, so that this short write never upgrades it
        db.session.execute(
            update(Job)
            .where(Job.id == self.job_id)
            .values(phase=phase, done=done, total=total, heartbeat_at=utcnow())
        )
        db.session.commit()

    def writing(
        self, phase: str = "writing", done: int = 0, total: int = 0, scope: Scope | None = None
    ) -> None:
        """The reading is over: say so, then take the write lock for the short write (on
        PostgreSQL, only the ``scope``'s lock when the write stays within it: see
        ``db.begin_writing``)."""
        self.last = 0.0
        self.step(phase, done, total)
        begin_writing(db.session, scope)
        db.session.expire_all()  # read again inside the write, so that checks stay exact


Handler = Callable[[Job, Progress], dict[str, Any]]


@dataclass(frozen=True)
class Kind:
    handler: Handler
    roles: frozenset[Role]
    endpoint: str  # where the job's page sends back: the page the work was started from
    template: str  # the outcome, on the job's page


KINDS: dict[str, Kind] = {}


def register(
    name: str, roles: set[Role], endpoint: str, template: str
) -> Callable[[Handler], Handler]:
    def decorate(handler: Handler) -> Handler:
        KINDS[name] = Kind(handler, frozenset(roles), endpoint, template)
        return handler

    return decorate


def start(
    kind: str,
    key: str,
    by: Any,
    payload: dict[str, Any] | None = None,
    data: str | None = None,
) -> Job:
    """A new job, or the one already queued or running for the same work (never twice)."""
    if kind not in KINDS:
        raise DomainError("unknown kind of job")
    active = db.session.scalar(
        select(Job).where(Job.kind == kind, Job.key == key, Job.status.in_(ACTIVE))
    )
    if active is not None:
        return active
    job = Job(
        kind=kind,
        key=key,
        payload=payload or {},
        data=data,
        created_by_id=getattr(by, "id", None),
    )
    db.session.add(job)
    db.session.flush()
    return job


def _claim(job_id: int) -> bool:
    """Mark the job as ours: queued, or running with a heartbeat too old (its worker died)."""
    stale = utcnow() - timedelta(seconds=current_app.config["JOB_STALE_SECONDS"])
    claimed = db.session.execute(
        update(Job)
        .where(
            Job.id == job_id,
            Job.attempts < current_app.config["JOB_MAX_ATTEMPTS"],
            or_(
                Job.status == JobStatus.QUEUED,
                (Job.status == JobStatus.RUNNING) & (Job.heartbeat_at < stale),
            ),
        )
        .values(
            status=JobStatus.RUNNING,
            attempts=Job.attempts + 1,
            started_at=utcnow(),
            heartbeat_at=utcnow(),
        )
    )
    db.session.commit()
    return claimed.rowcount == 1  # type: ignore[attr-defined]


def _finish(job_id: int, status: JobStatus, result: dict[str, Any]) -> None:
    db.session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(status=status, result=result, phase="", finished_at=utcnow(), data=None)
    )


def run(job_id: int) -> None:
    """Do one job (in the worker, in an app context of its own)."""
    db.session().expire_on_commit = False  # progress commits keep what the work has read
    read_first()
    if not _claim(job_id):
        return
    job = db.session.get(Job, job_id)
    assert job is not None
    progress = Progress(job_id)
    locale = job.payload.get("locale") or current_app.config["BABEL_DEFAULT_LOCALE"]
    try:
        with force_locale(locale):  # reasons written in the language of who started it
            result = KINDS[job.kind].handler(job, progress)
    except Refused as refused:
        db.session.rollback()
        _finish(job_id, JobStatus.REFUSED, refused.result)
    except DomainError as error:
        db.session.rollback()
        _finish(job_id, JobStatus.REFUSED, {"reasons": [str(error.message)]})
    except Exception:
        log.exception("job %s (%s) failed", job_id, job.kind)
        db.session.rollback()
        _finish(job_id, JobStatus.FAILED, {})
    else:
        _finish(job_id, JobStatus.DONE, result)  # in the handler's own write transaction
    db.session.commit()


def recover() -> list[int]:
    """Jobs to send (again): queued but never picked up, or whose worker stopped beating.
    Those interrupted too often are marked failed (each attempt left nothing half-written)."""
    config = current_app.config
    now = utcnow()
    stale = now - timedelta(seconds=config["JOB_STALE_SECONDS"])
    forgotten = now - timedelta(seconds=config["JOB_QUEUED_RESEND_SECONDS"])
    rows = db.session.scalars(
        select(Job).where(
            or_(
                (Job.status == JobStatus.QUEUED) & (Job.created_at < forgotten),
                (Job.status == JobStatus.RUNNING) & (Job.heartbeat_at < stale),
            )
        )
    ).all()
    again = []
    for job in rows:
        if job.attempts >= config["JOB_MAX_ATTEMPTS"]:
            _finish(job.id, JobStatus.FAILED, {"interrupted": job.attempts})
        else:
            again.append(job.id)
    db.session.commit()
    return again


def latest_for(kind: str, prefix: str, subject: int) -> Job | None:
    """The latest job of a kind about one thing (its key starts ``prefix:subject:``)."""
    return db.session.scalar(
        select(Job)
        .where(Job.kind == kind, Job.key.startswith(f"{prefix}:{subject}:"))
        .order_by(Job.id.desc())
        .limit(1)
    )


def recent(kind: str, limit: int = 5) -> list[Job]:
    """The latest jobs of a kind, for the page they are started from."""
    return list(
        db.session.scalars(select(Job).where(Job.kind == kind).order_by(Job.id.desc()).limit(limit))
    )
