"""A piece of long work done by the queue's worker: what it is, where it stands, how it ended."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from governance.db import Base, UTCDateTime, created_at, enum_column, intpk, str40


class JobStatus(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    REFUSED = "refused"  # a rule said no: the reasons are in ``result``; nothing was written
    FAILED = "failed"  # an unexpected error, or interrupted too many times: nothing half-written

    @property
    def finished(self) -> bool:
        return self in (JobStatus.DONE, JobStatus.REFUSED, JobStatus.FAILED)


class Job(Base):
    """One job; the worker claims it, reports its progress, and records its outcome here, so
    that its page reads the same whichever queue carries it and whoever closed their tab."""

    __tablename__ = "job"

    id: Mapped[intpk]
    kind: Mapped[str40] = mapped_column(index=True)
    # The same work asked twice while the first is queued or running is the same job.
    key: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[JobStatus] = mapped_column(
        enum_column(JobStatus, "job_status"), default=JobStatus.QUEUED, index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    data: Mapped[str | None] = mapped_column(Text)  # a large input (an uploaded file's text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    phase: Mapped[str40] = mapped_column(default="")
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    attempts: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
