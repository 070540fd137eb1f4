"""Backups on the schedule an admin sets: the queue's worker writes one each day at the chosen
hour (a job, like any other: its page, its outcome), and the admin's page shows the last copy
that succeeded."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import BooleanField, IntegerField
from wtforms.validators import InputRequired, NumberRange

from governance.db import Base, intpk, utc, utcnow
from governance.extensions import db
from governance.forms import REQUIRED
from governance.jobs import services
from governance.jobs.models import Job, JobStatus
from governance.people.models import Role


class BackupSchedule(Base):
    """One row: whether the worker makes a daily copy, at which hour, how many it keeps."""

    __tablename__ = "backup_schedule"

    id: Mapped[intpk]
    enabled: Mapped[bool] = mapped_column(default=False)
    hour: Mapped[int] = mapped_column(default=3)  # local time of the caisse
    keep: Mapped[int] = mapped_column(default=14)
    changed_at: Mapped[utc | None]


class ScheduleForm(FlaskForm):
    enabled = BooleanField(_l("Make a copy every day"))
    hour = IntegerField(
        _l("At what time (hour, 0 to 23)"),
        validators=[InputRequired(REQUIRED), NumberRange(0, 23)],
    )
    keep = IntegerField(
        _l("How many copies to keep"),
        description=_l("Older copies are removed, the newest ones kept."),
        validators=[InputRequired(REQUIRED), NumberRange(1, 365)],
    )


def schedule() -> BackupSchedule:
    found = db.session.scalar(select(BackupSchedule).limit(1))
    return found if found is not None else BackupSchedule(enabled=False, hour=3, keep=14)


def save(enabled: bool, hour: int, keep: int) -> BackupSchedule:
    found = db.session.scalar(select(BackupSchedule).limit(1))
    if found is None:
        found = BackupSchedule()
        db.session.add(found)
    found.enabled, found.hour, found.keep, found.changed_at = enabled, hour, keep, utcnow()
    db.session.flush()
    return found


def last(status: JobStatus | None = None) -> Job | None:
    query = select(Job).where(Job.kind == "backup")
    if status is not None:
        query = query.where(Job.status == status)
    return db.session.scalar(query.order_by(Job.id.desc()).limit(1))


@services.register("backup", {Role.ADMIN}, "jobs.backups", "jobs/job_backup.html")
def backup(job: Job, progress: services.Progress) -> dict[str, Any]:
    from governance.cli import write_backup

    progress.step("copying")
    target, removed = write_backup(None, int(job.payload.get("keep", 14)))
    return {"file": target.name, "bytes": target.stat().st_size, "removed": len(removed)}


def due(now: datetime) -> str | None:
    """The key of today's scheduled copy if it is time and none was made today, else None."""
    plan = schedule()
    local = now.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    if not plan.enabled or local.hour < plan.hour:
        return None
    key = f"backup:{local:%Y-%m-%d}"
    made = db.session.scalar(select(Job.id).where(Job.kind == "backup", Job.key == key))
    return None if made else key


def tick() -> int | None:
    """Every minute, in the worker: start today's copy when its hour has come."""
    key = due(utcnow())
    if key is None:
        return None
    db.session.commit()  # the reading is over: the job's row is a short write of its own
    job = services.start("backup", key, None, {"keep": schedule().keep})
    job_id = job.id
    db.session.commit()
    return job_id
