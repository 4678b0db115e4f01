"""The `casedesk migrate-instances` command: move running instances of one version to another."""
from __future__ import annotations

import argparse
from typing import Callable

from engine.bootstrap import Casedesk
from engine.runtime.migration import DEFAULT_BATCH, InstanceOutcome, MigrationReport

Command = Callable[..., argparse.ArgumentParser]


def cmd_migrate_instances(app: Casedesk, args: argparse.Namespace) -> int:
    if args.dry_run:
        report = app.migrations.dry_run(args.key, args.from_version, args.to_version, args.user)
    else:
        report = app.migrations.migrate(args.key, args.from_version, args.to_version, args.user,
                                        batch_size=args.batch)
    for outcome in report.instances:
        print(_line(outcome, report.dry_run))
    print(_summary(report))
    # A dry run that reported is a success, whatever it found; only the move fails when instances stay behind.
    return 1 if report.refused and not report.dry_run else 0


def _line(outcome: InstanceOutcome, dry_run: bool) -> str:
    """One instance: whether it can move (or moved) and why not; the tasks it would lose or that change, and
    the elements the target adds."""
    label = outcome.instance_id + (f" ({outcome.business_key})" if outcome.business_key else "")
    check = outcome.check
    parts = [("can move" if dry_run else "moved") if check.can_move else "cannot move: " + "; ".join(check.reasons)]
    if check.lost:
        parts.append("tasks lost: " + "; ".join(c.describe() for c in check.lost))
    if check.changed:
        parts.append("tasks changed: " + "; ".join(c.describe() for c in check.changed))
    if check.added:
        parts.append("added by the new version: " + ", ".join(check.added))
    return f"{label}: " + "\n    ".join(parts)


def _summary(report: MigrationReport) -> str:
    head = f"{report.key} v{report.from_version} -> v{report.to_version}: {len(report.instances)} running"
    if report.dry_run:
        return f"{head}, {len(report.movable)} can move, {len(report.refused)} cannot (dry run: nothing changed)"
    return (f"{head}, {len(report.moved)} moved in {report.batches} batch(es), "
            f"{len(report.refused)} left on v{report.from_version}")


def register(command: Command) -> None:
    p = command("migrate-instances", cmd_migrate_instances,
                "move running instances of KEY from version N to version M (process owners)", user=True)
    p.add_argument("key")
    p.add_argument("--from", dest="from_version", type=int, required=True, metavar="N")
    p.add_argument("--to", dest="to_version", type=int, required=True, metavar="M")
    p.add_argument("--dry-run", action="store_true", help="list per instance whether it can move and why not; change nothing "
                   "(exit 0 once reported, even when some cannot move)")
    p.add_argument("--batch", type=int, default=DEFAULT_BATCH, help="instances per transaction")
