"""A job's page: where it stands, then how it ended; it survives closing the tab."""

from __future__ import annotations

from flask import Blueprint, current_app
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from governance.access import access
from governance.jobs import policy
from governance.jobs.models import Job, JobStatus
from governance.web import render

bp = Blueprint("jobs", __name__, url_prefix="/travaux", template_folder="templates")

STATUS_LABELS = {
    JobStatus.QUEUED: _l("Waiting for its turn"),
    JobStatus.RUNNING: _l("In progress"),
    JobStatus.DONE: _l("Done"),
    JobStatus.REFUSED: _l("Refused: nothing was changed"),
    JobStatus.FAILED: _l("Failed: nothing was changed"),
}
PHASE_LABELS = {
    "reading": _l("Lines read"),
    "checking": _l("Checking"),
    "writing": _l("Writing to the books"),
    "households": _l("Households credited"),
    "initial": _l("Finding possible panels: candidates in at least one"),
    "solving": _l("Balancing the chances"),
}
KIND_LABELS = {
    "purchase_import": _l("Import of purchases"),
    "monthly_run": _l("Monthly run"),
    "lottery_check": _l("Quota check and chances of a draw"),
}


@bp.get("/<int:job_id>")
@access(policy.JOB)
def job(job: Job) -> Response:
    from governance.jobs.services import KINDS

    kind = KINDS[job.kind]
    return render(
        "jobs/job.html",
        "status",
        job=job,
        kind=kind,
        status_labels=STATUS_LABELS,
        phase_labels=PHASE_LABELS,
        kind_labels=KIND_LABELS,
        poll_seconds=current_app.config["JOB_POLL_SECONDS"],
    )
