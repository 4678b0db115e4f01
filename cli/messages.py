"""`casedesk message`: send a message to the instances waiting for it (or start one), as the API does."""
from __future__ import annotations

import argparse
import json
from typing import Any, Callable

from engine.bootstrap import Casedesk

Command = Callable[..., argparse.ArgumentParser]


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("must be a JSON object")
    return value


def cmd_message(app: Casedesk, args: argparse.Namespace) -> int:
    delivered = app.messages.send(args.name, args.correlation, args.data, actor=args.user)
    for one in delivered:
        how = "started" if one.started else "reached"
        print(f"message {args.name} {how} instance {one.instance_id}  {one.process_key}")
    return 0


def register(command: Command) -> None:
    p = command("message", cmd_message, "send message NAME: to the instances waiting for it with that correlation, "
                "or to a new instance of a process it starts (exit 1, nothing stored, when it reaches nobody)",
                user=True)
    p.add_argument("name")
    p.add_argument("--correlation", type=_json_object, default={},
                   help='correlation property ids and values, e.g. \'{"order_id": "A1"}\'')
    p.add_argument("--data", type=_json_object, default={}, help="the message's payload, a JSON object")
