"""`casedesk replay`: re-execute recorded instances and report any divergence or broken chain."""
from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Iterator

from tqdm import tqdm

from engine.bootstrap import Casedesk, bootstrap
from engine.config import Settings
from engine.errors import CasedeskError
from engine.history.service import ReplayReport


def describe(report: ReplayReport) -> list[str]:
    """One line when verified; otherwise every chain problem and the first divergence."""
    head = f"{report.instance_id} ({report.definition}, {report.events} events)"
    if report.verified:
        return [f"{head}: verified"]
    lines = [f"{head}: BROKEN CHAIN: {problem}" for problem in report.chain.problems]
    divergence = report.divergence
    if divergence is not None:
        lines.append(f"{head}: DIVERGED: {divergence}")
        if divergence.expected is not None or divergence.got is not None:
            lines.append(f"    recorded: {divergence.expected}")
            lines.append(f"    replayed: {divergence.got}")
    return lines


@dataclass(frozen=True)
class Verdict:
    """One instance's outcome, as plain values a replay process can hand back."""

    lines: list[str]
    verified: bool
    broken_chain: bool = False
    error: bool = False


def verdict_of(app: Casedesk, instance_id: str) -> Verdict:
    try:
        report = app.history.replay(instance_id)
    except CasedeskError as exc:
        return Verdict([f"{instance_id}: ERROR: {exc}"], verified=False, error=True)
    return Verdict(describe(report), report.verified, broken_chain=not report.chain.ok)


_process_app: Casedesk | None = None  # each replay process's own connection pool and parse caches


def _open_process_app(settings: Settings) -> None:
    global _process_app
    _process_app = bootstrap(settings, run_migrations=False)


def _process_verdict(instance_id: str) -> Verdict:
    assert _process_app is not None
    return verdict_of(_process_app, instance_id)


def verdicts(app: Casedesk, ids: list[str], jobs: int) -> Iterator[Verdict]:
    """Each instance's verdict, in the order of `ids`; with jobs > 1 from that many processes."""
    if jobs <= 1 or len(ids) <= 1:
        yield from (verdict_of(app, instance_id) for instance_id in ids)
        return
    app.db.engine.dispose()  # a forked process must not inherit (and later close) our open connections
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    workers = min(jobs, len(ids))
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_open_process_app,
                             initargs=(app.settings,)) as pool:
        # Small chunks keep every process busy when a few histories are much longer than the rest.
        yield from pool.map(_process_verdict, ids, chunksize=max(1, min(16, len(ids) // (workers * 8))))


def cmd_replay(app: Casedesk, args: argparse.Namespace) -> int:
    ids = app.history.instance_ids() if args.all else [args.instance]
    if not args.all:  # one instance: its errors are the command's errors
        report = app.history.replay(args.instance)
        for line in describe(report):
            print(line)
        print(f"1 instance(s): {int(report.verified)} verified, {int(not report.verified)} failed"
              f" ({int(not report.chain.ok)} with a broken chain)")
        return 0 if report.verified else 1
    failed = broken = 0
    # The bar goes to stderr so that stdout stays a clean list of findings, in the same order whatever --jobs.
    with tqdm(total=len(ids), desc="replaying", unit="instance", file=sys.stderr, disable=args.quiet) as bar:
        for verdict in verdicts(app, ids, args.jobs):
            failed += not verdict.verified
            broken += verdict.broken_chain
            if not verdict.verified or args.verbose:
                for line in verdict.lines:
                    bar.write(line, file=sys.stdout)
            bar.update()
    print(f"{len(ids)} instance(s): {len(ids) - failed} verified, {failed} failed"
          f" ({broken} with a broken chain)")
    return 1 if failed else 0


def add_replay_command(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("replay", help="re-execute recorded inputs and compare every effect (exit 1 on any failure)")
    p.set_defaults(handler=cmd_replay)
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("instance", nargs="?")
    group.add_argument("--all", action="store_true", help="every instance, with a progress bar")
    p.add_argument("--jobs", type=_positive, default=os.cpu_count() or 1,
                   help="with --all: replay in this many processes (default: the number of CPUs)")
    p.add_argument("--verbose", action="store_true", help="with --all: list verified instances too")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
