"""The real worker loop in its own process, with the fault tests' handlers (python -m tests.support.worker_process)."""
from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from engine.bootstrap import bootstrap
from engine.config import Settings
from engine.jobs.worker import Worker
from handlers.context import Handler, HandlerContext
from handlers.registry import build_registry


def fault_handlers(pause_marker: Path | None = None) -> dict[str, Handler]:
    """`pause_step` answers at once, or (given a marker path) announces itself there and hangs, to be killed."""

    def pause_step(ctx: HandlerContext, label: str) -> dict[str, Any]:
        if pause_marker is not None:
            pause_marker.write_text(ctx.instance_id)
            time.sleep(600)
        return {"label": label, "instance": ctx.instance_id}

    return {**build_registry(), "pause_step": pause_step}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--lease", type=float, default=60.0)
    parser.add_argument("--pause-marker", type=Path)
    parser.add_argument("--until-idle", action="store_true", help="exit once nothing is due")
    args = parser.parse_args(argv)
    app = bootstrap(Settings(database_url=args.database_url, job_lease_seconds=args.lease, worker_poll_seconds=0.1),
                    handlers=fault_handlers(args.pause_marker), run_migrations=False)
    try:
        if args.until_idle:
            ran = app.jobs.run_due(args.name)
        else:
            stop = threading.Event()
            signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())  # report what ran, then exit
            ran = Worker(app.jobs, args.name, 0.1, args.lease).run(stop)
        print(f"ran {ran}", flush=True)
    finally:
        app.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
