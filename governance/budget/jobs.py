"""The treasurer's long work, done by the queue's worker: a purchase import, the monthly run.
Both are all or nothing (one write transaction) and idempotent (the ledger's keys): a job
killed half-way left nothing, and sent again it records everything, once."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _

from governance.budget import bulk, purchases
from governance.jobs.models import Job
from governance.jobs.services import Progress, Refused, register
from governance.people.models import Role

TREASURY = {Role.TREASURER, Role.ADMIN}
# Both write the books only (postings, wallets, their job's row): on PostgreSQL the members'
# answers and positions go on meanwhile (see db.begin_writing).
BOOKS = ("ledger", 0)


@register("purchase_import", TREASURY, "budget.purchase_import", "budget/job_import.html")
def purchase_import(job: Job, progress: Progress) -> dict[str, Any]:
    lines = purchases.parse(
        job.data or "",
        lambda done, total: progress.step("reading", done, total),
        job.payload.get("operator"),
    )
    refused = [line for line in lines if line.errors]
    if refused:
        raise Refused(
            [
                _("Line %(number)d:", number=line.number) + " " + " ".join(line.errors)
                for line in refused
            ],
            lines=len(lines),
        )
    todo = [line for line in lines if not line.already]
    progress.writing("writing", 0, len(todo), scope=BOOKS)
    created = purchases.apply(lines)
    return {
        "lines": len(lines),
        "created": created,
        "already": len(lines) - created,
        "cents": sum(line.cents for line in todo),
    }


@register("monthly_run", TREASURY, "budget.monthly_run", "budget/job_run.html")
def monthly_run(job: Job, progress: Progress) -> dict[str, Any]:
    month = date.fromisoformat(job.payload["month"])
    preview = bulk.monthly_run(month, confirm=False)  # refusals come here, before the lock
    progress.writing("households", 0, len(preview), scope=BOOKS)
    keys = {
        f"allocation:{month:%Y-%m}:{line.household.reference}": line.allocation_cents
        for line in preview
        if line.allocation_cents
    }
    already = bulk.recorded_keys(list(keys))  # inside the write: exact
    bulk.monthly_run(month, confirm=True)
    new = {key: cents for key, cents in keys.items() if key not in already}
    return {
        "month": month.isoformat(),
        "households": len(new),
        "already": len(already),
        "cents": sum(new.values()),
    }
