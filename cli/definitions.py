"""The definition commands of the `casedesk` CLI: deploy, export, retire and restore."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.catalog import DefinitionCatalog
from engine.definitions.export import export_version
from engine.definitions.service import collect_files
from engine.definitions.translations import missing_translations
from cli.testrun import check_before_deploy

FORMS_DIR = PROJECT_ROOT / "forms"
Command = Callable[..., argparse.ArgumentParser]


def cmd_deploy(app: Casedesk, args: argparse.Namespace) -> int:
    directory = Path(args.directory) if args.directory else app.settings.processes_dir
    files = collect_files(directory, FORMS_DIR)
    if not check_before_deploy(app, files, args.strict):
        return 1
    for result in app.definitions.deploy(files, deployed_by=args.user, origin="files",
                                         replace_edits=args.replace_edits):
        state = "deployed" if result.created else "unchanged"
        kept = f": {result.kept_reason}" if result.kept_reason else ""
        print(f"{result.key} v{result.version} {state} ({result.content_hash[:12]}){kept}")
    for warning in missing_translations(files):
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def cmd_export(app: Casedesk, args: argparse.Namespace) -> int:
    version, written = export_version(DefinitionCatalog(app.db), args.key, args.version, Path(args.directory))
    print(f"{args.key} v{version}: {len(written)} file(s) written under {args.directory}")
    for path in written:
        print(f"  {path}")
    return 0


def cmd_retire(app: Casedesk, args: argparse.Namespace) -> int:
    return _set_retired(app, args, True)


def cmd_restore(app: Casedesk, args: argparse.Namespace) -> int:
    return _set_retired(app, args, False)


def _set_retired(app: Casedesk, args: argparse.Namespace, retired: bool) -> int:
    changed = app.lifecycle.set_retired(args.key, args.version, retired, args.user)
    what = args.key if args.version is None else f"{args.key} v{args.version}"
    if not changed:
        print(f"{what} was already {'retired' if retired else 'in service'}; nothing changed")
    elif retired:
        print(f"{what} retired: no new instances; running instances go on")
    else:
        print(f"{what} restored: new instances may start again")
    return 0


def register(command: Command) -> None:
    p = command("deploy", cmd_deploy, "validate and deploy every process in DIR")
    p.add_argument("directory", nargs="?", help="default: CASEDESK_PROCESSES_DIR, else processes/")
    p.add_argument("--user", default="cli", help="recorded as the deployer")
    p.add_argument("--replace-edits", action="store_true",
                   help="let these files supersede versions made in the modeler or uploaded")
    p.add_argument("--strict", action="store_true", help="deploy nothing when a saved test case fails")
    p = command("export", cmd_export, "write a stored version's files to DIR (deploying them again is a no-op)")
    p.add_argument("key")
    p.add_argument("directory")
    p.add_argument("--version", type=int, help="default: the newest version")
    for name, handler, help_ in (("retire", cmd_retire, "stop new instances of a process or one version"),
                                 ("restore", cmd_restore, "let a retired process or version start again")):
        p = command(name, handler, help_, user=True)
        p.add_argument("key")
        p.add_argument("--version", type=int, help="only this version (default: the whole process)")
