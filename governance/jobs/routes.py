"""A job's page: where it stands, then how it ended; it survives closing the tab."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from governance.access import access
from governance.db import utcnow
from governance.jobs import backups as plan
from governance.jobs import policy, services
from governance.jobs.models import Job, JobStatus
from governance.jobs.queue import launch
from governance.web import form_status, render, save

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
    "copying": _l("Copying the database"),
    "initial": _l("Finding possible panels: candidates in at least one"),
    "solving": _l("Balancing the chances"),
}
KIND_LABELS = {
    "purchase_import": _l("Import of purchases"),
    "monthly_run": _l("Monthly run"),
    "lottery_check": _l("Quota check and chances of a draw"),
    "backup": _l("Backup"),
}


@bp.get("/<int:job_id>")
@access(policy.JOB)
def job(job: Job) -> Response:
    kind = services.KINDS[job.kind]
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


@bp.route("/sauvegardes", methods=["GET", "POST"])
def backups() -> Response:
    """The admin sets the daily copy's hour and how many are kept; sees the last success."""
    current = plan.schedule()
    form = plan.ScheduleForm(obj=current)
    if request.method == "POST" and request.form.get("now") == "yes":
        job = services.start(
            "backup", f"backup:now:{utcnow():%Y%m%d%H%M}", current_user, {"keep": current.keep}
        )
        return redirect(url_for("jobs.job", job_id=launch(job)))
    if form.validate_on_submit() and save(
        form, lambda: plan.save(form.enabled.data, form.hour.data, form.keep.data)
    ):
        flash(_("The backup schedule is saved."), "success")
        return redirect(url_for("jobs.backups"))
    return render(
        "jobs/backups.html",
        form=form,
        success=plan.last(JobStatus.DONE),
        latest=plan.last(),
        status=form_status(form),
    )
