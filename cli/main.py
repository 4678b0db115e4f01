"""The `casedesk` command line: deploy, run and inspect processes from a terminal."""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

from engine.bootstrap import Casedesk, bootstrap
from engine.config import PROJECT_ROOT, uses_embedded_database
from engine.definitions.service import PROCESS_SUFFIXES, collect_files
from casework.demo_org import seed_demo_org
from engine.errors import CasedeskError, DefinitionInvalid, InvalidInput
from engine.runtime.service import InstanceView, TaskView
from cli.archive import add_archive_commands
from cli.replay import add_replay_command
from cli.definitions import register as register_definition_commands
from cli.jobs import register as register_job_commands
from cli.migration import register as register_migration_commands
from cli.messages import register as register_message_commands
from cli.testrun import register as register_testrun_commands

FORMS_DIR = PROJECT_ROOT / "forms"


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("must be a JSON object")
    return value


def _print_instance(view: InstanceView) -> None:
    print(f"instance {view.id}  {view.process_key} v{view.version}  {view.status}  events: {view.events}")
    for task in view.ready_tasks:
        _print_task(task)


def _print_task(task: TaskView) -> None:
    who = task.assignee or f"group {task.candidate_group or '(anyone)'}"
    print(f"  task {task.id}  {task.title}  [{who}]  instance {task.instance_id}")


def cmd_validate(app: Casedesk, args: argparse.Namespace) -> int:
    files: dict[str, bytes] = {}
    for name in args.paths:
        path = Path(name)
        if path.is_dir():  # a folder as `deploy` reads it: its BPMN/DMN files, forms from it and forms/
            files.update(collect_files(path, FORMS_DIR))
            continue
        if not path.is_file():
            print(f"{name}: no such file or folder", file=sys.stderr)
            return 1
        files[path.name] = path.read_bytes()
        for form in [*path.parent.glob("*.json"), *FORMS_DIR.rglob("*.json")]:
            files.setdefault(form.name, form.read_bytes())
    if not any(name.endswith(PROCESS_SUFFIXES) for name in files):
        print("no .bpmn or .dmn file given", file=sys.stderr)
        return 1
    problems = app.definitions.validate(files)
    for problem in problems:
        print(problem)
    checked = sum(name.endswith(PROCESS_SUFFIXES) for name in files)
    print(f"{len(problems)} problem(s) in {checked} file(s)" if problems else f"ok: {checked} file(s) valid")
    return 1 if problems else 0


def cmd_start(app: Casedesk, args: argparse.Namespace) -> int:
    _print_instance(app.runtime.start_instance(args.key, args.data, actor=args.user))
    return 0


def cmd_tasks(app: Casedesk, args: argparse.Namespace) -> int:
    tasks = app.runtime.list_tasks(user=args.user, instance_id=args.instance)
    for task in tasks:
        _print_task(task)
    if not tasks:
        print("no ready tasks")
    return 0


def cmd_instances(app: Casedesk, args: argparse.Namespace) -> int:
    views = app.runtime.list_instances(status=args.status, process_key=args.process, limit=args.limit)
    for view in views:
        print(f"{view.id}  {view.process_key} v{view.version}  {view.status:<9}  started by {view.started_by}"
              f"  events: {view.events}")
    if not views:
        print("no instances")
    return 0


def cmd_show(app: Casedesk, args: argparse.Namespace) -> int:
    _print_instance(app.runtime.get_instance(args.instance))
    return 0


def cmd_claim(app: Casedesk, args: argparse.Namespace) -> int:
    _print_task(app.runtime.claim_task(args.task, actor=args.user))
    return 0


def cmd_unclaim(app: Casedesk, args: argparse.Namespace) -> int:
    _print_task(app.runtime.unclaim_task(args.task, actor=args.user))
    return 0


def cmd_complete(app: Casedesk, args: argparse.Namespace) -> int:
    _print_instance(app.runtime.complete_task(args.task, args.data, actor=args.user))
    return 0


def cmd_cancel(app: Casedesk, args: argparse.Namespace) -> int:
    _print_instance(app.runtime.cancel_instance(args.instance, actor=args.user, reason=args.reason))
    return 0


def cmd_history(app: Casedesk, args: argparse.Namespace) -> int:
    for event in app.history.events(args.instance):
        where = f" {event.task_spec}" if event.task_spec else ""
        # Stored in UTC, shown in the terminal's own time zone (TZ), with its offset.
        print(f"{event.seq:>5} {event.at.astimezone():%Y-%m-%d %H:%M:%S%z} {event.actor or '-':<12} {event.category:<6} "
              f"{event.type}{where} {event.payload}")
    return 0


def cmd_verify(app: Casedesk, args: argparse.Namespace) -> int:
    ids = app.history.instance_ids() if args.all else [args.instance]
    failed = 0
    for instance_id in ids:
        report = app.history.verify(instance_id)
        if report.ok:
            print(f"{instance_id}: ok, {report.events} events, chain intact")
        else:
            failed += 1
            for problem in report.problems:
                print(f"{instance_id}: BROKEN: {problem}")
    return 1 if failed else 0


def cmd_users_add(app: Casedesk, args: argparse.Namespace) -> int:
    app.users.add_user(args.name, args.password, args.group)
    print(f"user {args.name} in groups: {', '.join(sorted(set(args.group))) or '(none)'}")
    return 0


def cmd_users_passwd(app: Casedesk, args: argparse.Namespace) -> int:
    app.users.set_password(args.name, args.password)
    print(f"user {args.name}: new password; their sessions and API tokens have ended")
    return 0


def cmd_users_active(app: Casedesk, args: argparse.Namespace) -> int:
    active = args.users_command == "activate"
    app.users.set_active(args.name, active)
    print(f"user {args.name}: " + ("active again" if active else
                                   "deactivated; signed out everywhere and every API token revoked"))
    return 0


def cmd_demo_org(app: Casedesk, args: argparse.Namespace) -> int:
    if args.embedded_only and not uses_embedded_database(app.settings):
        # `make run` on a configured database: users with a published password would be a way in.
        print("not creating the demo users: CASEDESK_DATABASE_URL names a configured database, and users "
              "with a known password are created only on the embedded SQLite demo database; "
              "add real users with `casedesk users add`", file=sys.stderr)
        return 0
    seeded = seed_demo_org(app.db, app.clock, args.password)
    print(f"demo organisation (password {args.password}), for the embedded demo only:")
    for user, groups in seeded:
        print(f"  {user.name:<7} {', '.join(groups):<28} {user.display_name}")
    return 0


def cmd_migrate(app: Casedesk, args: argparse.Namespace) -> int:
    print("database schema is up to date")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="casedesk", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, handler: Callable[[Casedesk, argparse.Namespace], int], help_: str,
                user: bool = False) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_)
        p.set_defaults(handler=handler)
        if user:
            p.add_argument("--user", required=True, help="the acting user")
        return p

    register_definition_commands(command)
    p = command("validate", cmd_validate, "report every problem of BPMN/DMN files or folders; store nothing")
    p.add_argument("paths", nargs="+", metavar="PATH", help="a .bpmn/.dmn file, or a folder as deploy takes it")
    p = command("start", cmd_start, "start an instance of the newest version of KEY", user=True)
    p.add_argument("key")
    p.add_argument("--data", type=_json_object, default={})
    p = command("tasks", cmd_tasks, "list ready user tasks")
    p.add_argument("--user", help="only the tasks this user may work")
    p.add_argument("--instance")
    p = command("instances", cmd_instances, "list instances, newest first")
    p.add_argument("--status", choices=["running", "completed", "cancelled"])
    p.add_argument("--process", help="only instances of this process key")
    p.add_argument("--limit", type=int, default=100)
    p = command("show", cmd_show, "show one instance and its ready tasks")
    p.add_argument("instance")
    for name, handler in (("claim", cmd_claim), ("unclaim", cmd_unclaim)):
        p = command(name, handler, f"{name} a user task", user=True)
        p.add_argument("task")
    p = command("complete", cmd_complete, "complete a user task with form data", user=True)
    p.add_argument("task")
    p.add_argument("--data", type=_json_object, default={})
    p = command("cancel", cmd_cancel, "cancel a running instance", user=True)
    p.add_argument("instance")
    p.add_argument("--reason", default="")
    p = command("history", cmd_history, "print an instance's event log")
    p.add_argument("instance")
    p = command("verify", cmd_verify, "verify the hash chain of an instance's event log")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("instance", nargs="?")
    group.add_argument("--all", action="store_true")
    users = command("users", lambda app, args: 2, "manage users").add_subparsers(dest="users_command", required=True)
    p = users.add_parser("add", help="add a user or reset their password and groups")
    p.set_defaults(handler=cmd_users_add)
    p.add_argument("name")
    p.add_argument("--password", required=True)
    p.add_argument("--group", action="append", default=[])
    p = users.add_parser("passwd", help="set a user's password (ends their sessions and API tokens)")
    p.set_defaults(handler=cmd_users_passwd)
    p.add_argument("name")
    p.add_argument("--password", required=True)
    for name, text in (("deactivate", "sign a user out everywhere, revoke their tokens, refuse their sign-in"),
                       ("activate", "let a deactivated user sign in again")):
        p = users.add_parser(name, help=text)
        p.set_defaults(handler=cmd_users_active)
        p.add_argument("name")
    command("migrate", cmd_migrate, "create or upgrade the database schema")
    add_archive_commands(sub)
    add_replay_command(sub)
    register_job_commands(command)
    register_migration_commands(command)
    register_message_commands(command)
    register_testrun_commands(command)
    p = command("demo-org", cmd_demo_org, "create or reset the demo organisation's users (demo set-ups only)")
    p.add_argument("--password", required=True)
    p.add_argument("--embedded-only", action="store_true",
                   help="do nothing unless the database is the embedded SQLite demo database (make run)")
    return parser


# A command whose reader closed early (`casedesk export … | head`) ends as a program killed by SIGPIPE does.
EXIT_READER_GONE = 128 + signal.SIGPIPE


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; output piped into a reader that stops early ends it quietly, whatever the command."""
    try:
        try:
            return _run(argv)
        finally:  # inside the try (also after --help's exit): what is still buffered may meet the closed pipe
            sys.stdout.flush()
    except BrokenPipeError:
        # Python flushes stdout again at exit; point it at /dev/null so that flush cannot print a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_READER_GONE


def _run(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        app = bootstrap()
    except Exception as exc:  # the database is the usual culprit: say so plainly
        print(f"casedesk: cannot open the database: {exc}", file=sys.stderr)
        return 1
    try:
        return int(args.handler(app, args))
    except DefinitionInvalid as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"casedesk: {exc}; nothing was stored", file=sys.stderr)
        return 1
    except InvalidInput as exc:
        print(f"casedesk: {exc}", file=sys.stderr)
        for field, messages in exc.field_errors.items():
            for message in messages:
                print(f"  {field or '(form)'}: {message}", file=sys.stderr)
        return 1
    except CasedeskError as exc:
        print(f"casedesk: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        app.close()


if __name__ == "__main__":
    sys.exit(main())
