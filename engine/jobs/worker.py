"""The `casedesk worker` loop: run due jobs, renew the leases it holds, stop cleanly when told."""
from __future__ import annotations

import logging
import os
import socket
import threading

from engine.jobs.runner import JobRunner

log = logging.getLogger(__name__)


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Worker:
    def __init__(self, jobs: JobRunner, name: str, poll_seconds: float, lease_seconds: float):
        self.jobs = jobs
        self.name = name
        self.poll_seconds = poll_seconds
        # Renew well before expiry so a slow database round trip never lets a live worker's lease lapse.
        self.renew_every = max(lease_seconds / 3, 0.05)
        self.ran = 0

    def run(self, stop: threading.Event, max_jobs: int | None = None) -> int:
        """Run until `stop` is set (or `max_jobs` have run); returns how many jobs ran."""
        heartbeat = threading.Thread(target=self._renew_leases, args=(stop,), name=f"lease-{self.name}", daemon=True)
        heartbeat.start()
        try:
            while not stop.is_set():
                try:
                    ran = self.jobs.run_due(self.name, None if max_jobs is None else max_jobs - self.ran, stop)
                except Exception:  # noqa: BLE001 - e.g. the database restarting: wait and try again
                    log.exception("worker %s: running due jobs failed", self.name)
                    ran = 0
                self.ran += ran
                if max_jobs is not None and self.ran >= max_jobs:
                    break
                if ran == 0:
                    stop.wait(self.poll_seconds)
        finally:
            stop.set()
            heartbeat.join(timeout=5)
        return self.ran

    def _renew_leases(self, stop: threading.Event) -> None:
        while not stop.wait(self.renew_every):
            try:
                self.jobs.renew_leases(self.name)
            except Exception:  # noqa: BLE001 - a missed renewal is retried; the lease has slack for it
                log.exception("worker %s could not renew its leases", self.name)
