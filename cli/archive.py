"""`casedesk archive …`: the archive register, the guarded read and the access log (R-6)."""
from __future__ import annotations

import argparse
import json
from typing import Any

from casework.archive import class_titles
from engine.bootstrap import Casedesk


def cmd_archive_list(app: Casedesk, args: argparse.Namespace) -> int:
    entries = app.archives.list_register(args.user, archive_class=args.archive_class)
    titles = class_titles()
    for entry in entries:
        en, zh = titles[entry.archive_class]
        print(f"{entry.number}  {zh} {en}  {entry.status:<8}  items: {entry.items:<3}  "
              f"case {entry.case_number or '-'}  {entry.title}")
    if not entries:
        print("no archives")
    return 0


def cmd_archive_read(app: Casedesk, args: argparse.Namespace) -> int:
    content = app.archives.read(args.number, args.user)
    print(f"{content.number}  {content.title}  ({content.archive_class}, {content.status})  "
          f"read under borrowing {content.borrowing_id}")
    for item in content.items:
        body = json.dumps(item.content, ensure_ascii=False)
        print(f"  {item.seq:>3} {item.filed_at.astimezone():%Y-%m-%d %H:%M%z} {item.kind:<20} {item.name}: {body}")
    return 0


def cmd_archive_accesses(app: Casedesk, args: argparse.Namespace) -> int:
    records = app.archives.accesses(args.number, args.user)
    for record in records:
        # Stored in UTC, shown in the terminal's time zone with its offset.
        print(f"{record.at.astimezone():%Y-%m-%d %H:%M:%S%z}  {record.username:<12} {record.outcome:<8} "
              f"borrowing {record.borrowing_id or '-'}  {record.reason}")
    if not records:
        print(f"no access to {args.number} recorded")
    return 0


def cmd_archive_inventory(app: Casedesk, args: argparse.Namespace) -> int:
    report = app.archives.inventory(args.user)
    counts = ", ".join(f"{name} {count}" for name, count in report.archives_per_class.items()) or "no archives"
    print(f"inventory at {report.taken_at.astimezone():%Y-%m-%d %H:%M%z}: {counts}; {report.items} filed items")
    for finding in report.findings:
        print(f"  {finding.number}: {finding.problem}")
    print("complete: nothing missing, nothing overdue" if report.ok else f"{len(report.findings)} finding(s)")
    return 0 if report.ok else 1


def add_archive_commands(sub: Any) -> None:
    """Register `archive list | inventory | read | accesses` on the top-level subparsers."""
    archive = sub.add_parser("archive", help="the archive register (R-6)")
    commands = archive.add_subparsers(dest="archive_command", required=True)
    p = commands.add_parser("list", help="numbers, classes, titles and status (archivist, auditor)")
    p.set_defaults(handler=cmd_archive_list)
    p.add_argument("--user", required=True, help="the acting user (archivist or auditor)")
    p.add_argument("--class", dest="archive_class", choices=sorted(class_titles()))
    p = commands.add_parser("read", help="an archive's content, under an approved unexpired borrowing")
    p.set_defaults(handler=cmd_archive_read)
    p.add_argument("number")
    p.add_argument("--user", required=True, help="the reader; the attempt is recorded either way")
    p = commands.add_parser("accesses", help="every recorded attempt to read an archive (archivist, auditor)")
    p.set_defaults(handler=cmd_archive_accesses)
    p.add_argument("number")
    p.add_argument("--user", required=True, help="the acting user (archivist or auditor)")
    p = commands.add_parser("inventory", help="R-6.3 inventory: incomplete archives, loans past due (exit 1)")
    p.set_defaults(handler=cmd_archive_inventory)
    p.add_argument("--user", required=True, help="the acting user (archivist or auditor)")
