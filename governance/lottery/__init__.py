"""Fair lotteries: drawing households or group members by lot, with quotas, verifiably."""

from flask import Flask


def init_app(app: Flask) -> None:
    """The quota check is a job of the queue: its handler is registered here."""
    from governance.lottery import jobs

    assert jobs.lottery_check
