"""``flask --app governance lottery-verify <id>``: re-run a published draw and compare."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from governance.extensions import db


@click.command("lottery-verify")
@click.argument("lottery_id", type=int, required=False)
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A record downloaded from the public page (registre.json), instead of the database.",
)
@with_appcontext
def verify_command(lottery_id: int | None, path: Path | None) -> None:
    """Re-run a draw from its public record; say whether the panel and reserve are the same."""
    from governance.lottery import record as published
    from governance.lottery.models import Lottery, LotteryStatus

    if path is not None:
        record = json.loads(path.read_text(encoding="utf-8"))
        quota_problems: list[str] = []
    else:
        lottery = db.session.get(Lottery, lottery_id) if lottery_id else None
        if lottery is None or lottery.status is LotteryStatus.DRAFT:
            raise click.ClickException("no published draw has this number")
        record = published.public_record(lottery)
        quota_problems = published.quota_problems(lottery)
    problems = published.verify(record) + quota_problems
    if problems:
        for problem in problems:
            click.echo(f"MISMATCH: {problem}")
        raise SystemExit(1)
    click.echo(
        f"Draw {record['id']}: seed matches its fingerprint {record['seed_sha256'][:16]}…; "
        f"re-run gives the same panel {record['panel']} and the same reserve."
    )


@click.command("lottery-check")
@click.argument("lottery_id", type=int)
@with_appcontext
def check_command(lottery_id: int) -> None:
    """Check a draft draw's quotas and compute the chances (for pools too large for a page)."""
    from governance.lottery import services, sortition
    from governance.lottery.models import Lottery

    lottery = db.session.get(Lottery, lottery_id)
    if lottery is None:
        raise click.ClickException("no draw has this number")
    try:
        given, result = services.compute(lottery)
    except sortition.Refusal as refusal:
        raise click.ClickException(" ".join(refusal.reasons + refusal.suggestions)) from None
    services.store_chances(lottery, given, result)
    db.session.commit()
    low = min(result[1].values())
    click.echo(f"Draw {lottery_id}: the quotas can be met; the smallest chance is {low:.1%}.")
