"""A real worker that stops between the first two batches of a long write, inside its
transaction, and waits there to be killed: ``python paused_worker.py MARKER`` (the database and
the queue come from the environment, as for ``flask worker``)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from governance import create_app
from governance.budget import bulk
from governance.jobs.queue import run_worker


def pause(sender: Any, **progress: Any) -> None:
    Path(sys.argv[1]).write_text(f"{sender} {progress}")
    time.sleep(600)


if __name__ == "__main__":
    bulk.batch_written.connect(pause)
    with create_app().app_context():
        run_worker(workers=1, periodic=False)
