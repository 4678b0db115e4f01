"""The job commands of the `casedesk` CLI: worker, incidents, retry."""
from __future__ import annotations

import argparse
import logging
import signal
import threading
from typing import Any, Callable

from engine.bootstrap import Casedesk, settle_start_up
from engine.jobs.worker import Worker, default_worker_name
from cli.serve import cmd_serve

Command = Callable[..., argparse.ArgumentParser]


def cmd_worker(app: Casedesk, args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = threading.Event()

    def request_stop(signum: int, _frame: Any) -> None:
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, request_stop)
    worker = Worker(app.jobs, args.name or default_worker_name(), app.settings.worker_poll_seconds,
                    app.settings.job_lease_seconds, threads=app.settings.worker_threads)
    settle_start_up()
    print(f"worker {worker.name}: running due jobs (lease {app.settings.job_lease_seconds:g}s)", flush=True)
    ran = worker.run(stop, max_jobs=args.max_jobs) if not args.once else app.jobs.run_due(worker.name)
    print(f"worker {worker.name}: stopped after {ran} job(s)", flush=True)
    return 0


def cmd_jobs(app: Casedesk, args: argparse.Namespace) -> int:
    jobs = app.jobs.list_jobs(limit=args.limit)
    for job in jobs:
        due = job.due_at.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
        owner = f"  held by {job.lease_owner}" if job.lease_owner else ""
        where = f"instance {job.instance_id}" if job.instance_id else f"process {job.process_key}"
        print(f"job {job.id}  {job.kind} {job.element}  {job.status}  due {due}  {where}{owner}")
        if job.last_error:
            print(f"  attempts {job.attempts}, last error: {job.last_error}")
    if not jobs:
        print("no jobs scheduled")
    return 0


def cmd_incidents(app: Casedesk, args: argparse.Namespace) -> int:
    incidents = app.incidents.list(status=None if args.all else "open", instance_id=args.instance)
    for incident in incidents:
        local = incident.opened_at.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
        print(f"incident {incident.id}  {incident.status}  instance {incident.instance_id}  {incident.kind} "
              f"{incident.element}  attempts {incident.attempts}  opened {local}")
        print(f"  error: {incident.error}")
        if incident.resolved_by:
            print(f"  resolved by {incident.resolved_by}")
    if not incidents:
        print("no incidents" if args.all else "no open incidents")
    return 0


def cmd_retry(app: Casedesk, args: argparse.Namespace) -> int:
    incident = app.incidents.retry(args.incident, actor=args.user)
    if incident.status == "open":
        print(f"incident {incident.id}: the retry failed again: {incident.error}")
        return 1
    print(f"incident {incident.id} {incident.status} by {incident.resolved_by}")
    return 0


def register(command: Command) -> None:
    p = command("worker", cmd_worker, "run due timers, retries and timer starts until stopped")
    p.add_argument("--name", help="lease owner name (default host:pid)")
    p.add_argument("--once", action="store_true", help="run what is due now, then exit")
    p.add_argument("--max-jobs", type=int, help="exit after this many jobs")
    p = command("serve", cmd_serve, "serve the web app with one job worker beside it; stops both together")
    p.add_argument("--bind", help="default: CASEDESK_BIND")
    p.add_argument("--web-workers", type=int, help="default: CASEDESK_WEB_WORKERS, else 1")
    p.add_argument("--web-threads", type=int, help="threads per web worker (gthread); default: CASEDESK_WEB_THREADS")
    p = command("jobs", cmd_jobs, "list scheduled timers, retries and timer starts, soonest first")
    p.add_argument("--limit", type=int, default=100)
    p = command("incidents", cmd_incidents, "list open incidents (stuck service tasks, failing jobs)")
    p.add_argument("--all", action="store_true", help="resolved ones too")
    p.add_argument("--instance")
    p = command("retry", cmd_retry, "retry an incident (administrators)", user=True)
    p.add_argument("incident", type=int)
