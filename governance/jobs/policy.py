"""Who may follow a job: whoever started it, the holders of the roles of its kind, admins."""

from __future__ import annotations

from typing import Any

from governance.access import Loader, rule
from governance.extensions import db
from governance.jobs.models import Job
from governance.people.policy import is_admin, signed_in


@rule
def can_follow_job(person: Any, job: Job) -> bool:
    if not signed_in(person):
        return False
    from governance.jobs.services import KINDS
    from governance.permissions import roles_today

    kind = KINDS.get(job.kind)
    return (
        job.created_by_id == person.id
        or is_admin(person)
        or bool(kind is not None and kind.roles & roles_today())
    )


def job_from_url(job_id: int) -> Job | None:
    return db.session.get(Job, job_id)


JOB = Loader("job", job_from_url, see=can_follow_job)
