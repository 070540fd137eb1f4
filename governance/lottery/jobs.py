"""A draw's quota check and chances, computed by the queue's worker: for a pool of a thousand
candidates it takes a minute or more; the admin follows it on the job's page."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _

from governance.extensions import db
from governance.jobs.models import Job
from governance.jobs.services import Progress, Refused, register
from governance.lottery import services, sortition
from governance.lottery.models import Lottery
from governance.people.models import Role


@register("lottery_check", {Role.ADMIN}, "lottery.lottery", "lottery/job_check.html")
def lottery_check(job: Job, progress: Progress) -> dict[str, Any]:
    lottery_id = job.payload["lottery"]
    lottery = db.session.get(Lottery, lottery_id)
    if lottery is None:
        raise Refused([_("This draw no longer exists.")])
    budget = float(current_app.config["LOTTERY_BUDGET_SECONDS"])
    try:
        given, result = services.compute(lottery, budget, progress.step)
    except sortition.Refusal as refusal:
        raise Refused(refusal.reasons + refusal.suggestions) from None
    progress.writing()
    services.store_chances(db.session.get(Lottery, lottery_id), given, result)
    _panels, chances, how = result
    return {**how, "smallest": min(chances.values()), "largest": max(chances.values())}
