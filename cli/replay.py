"""`casedesk replay`: re-execute recorded instances and report any divergence or broken chain."""
from __future__ import annotations

import argparse
import sys

from tqdm import tqdm

from engine.bootstrap import Casedesk
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


def cmd_replay(app: Casedesk, args: argparse.Namespace) -> int:
    ids = app.history.instance_ids() if args.all else [args.instance]
    failed = broken = 0
    # The bar goes to stderr so that stdout stays a clean list of findings.
    with tqdm(ids, desc="replaying", unit="instance", file=sys.stderr, disable=not args.all or args.quiet) as bar:
        for instance_id in bar:
            try:
                report = app.history.replay(instance_id)
            except CasedeskError as exc:
                if not args.all:
                    raise
                failed += 1
                bar.write(f"{instance_id}: ERROR: {exc}", file=sys.stdout)
                continue
            if not report.verified:
                failed += 1
                broken += not report.chain.ok
            if not report.verified or args.verbose or not args.all:
                for line in describe(report):
                    bar.write(line, file=sys.stdout)
    print(f"{len(ids)} instance(s): {len(ids) - failed} verified, {failed} failed"
          f" ({broken} with a broken chain)")
    return 1 if failed else 0


def add_replay_command(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("replay", help="re-execute recorded inputs and compare every effect (exit 1 on any failure)")
    p.set_defaults(handler=cmd_replay)
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("instance", nargs="?")
    group.add_argument("--all", action="store_true", help="every instance, with a progress bar")
    p.add_argument("--verbose", action="store_true", help="with --all: list verified instances too")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
