"""Who may use which route: the expectations walked by test_routes_by_role.py.

Every endpoint in `app.url_map` must have a rule here; a helper that adds routes adds its rules
(append below). Roles are the users of conftest.ROLE_USERS; the scenario is conftest.Scenario.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ROLES = ("anonymous", "clerk", "reviewer", "outsider", "tracker", "process_owner", "auditor", "admin")
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
SEE_ALL = frozenset({"auditor", "admin"})
TRACKERS = frozenset({"tracker", "auditor", "admin"})
# The demo instance: started by the clerk, waiting for the reviewers' group.
INSTANCE_VIEWERS = frozenset({"clerk", "reviewer"}) | TRACKERS


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]
    method: str = "GET"
    data: dict[str, Any] = field(default_factory=dict)
    claimed: bool = False  # the scenario's review task claimed by the reviewer first
    auth: str = "session"  # how the role's client signs in ("session"; the API adds its own)


RULES: dict[str, Rule] = {
    "static": Rule(EVERYONE),
    "home": Rule(EVERYONE),
    "healthz": Rule(EVERYONE),
    "auth.login": Rule(EVERYONE),
    "auth.logout": Rule(SIGNED_IN, "POST"),
    "i18n.set_language": Rule(EVERYONE),
    "i18n.set_timezone": Rule(EVERYONE, "POST", {"timezone": "Asia/Shanghai"}),
    "inbox.index": Rule(SIGNED_IN),
    "inbox.claim": Rule(frozenset({"reviewer"}), "POST"),
    "inbox.unclaim": Rule(frozenset({"reviewer"}), "POST", claimed=True),
    "tasks.show": Rule(frozenset({"reviewer"}) | SEE_ALL),
    "tasks.complete": Rule(frozenset({"reviewer"}), "POST", {"decision": "approve"}),
    "start.index": Rule(SIGNED_IN),
    "start.start": Rule(frozenset({"clerk"}), "POST", {"title": "New"}),
    "instances.index": Rule(SIGNED_IN),
    "instances.show": Rule(INSTANCE_VIEWERS),
    "instances.diagram": Rule(INSTANCE_VIEWERS),
    "instances.cancel": Rule(frozenset({"clerk", "admin"}), "POST", {"reason": "duplicate"}),
    "tracker.index": Rule(TRACKERS),
    "tracker.report": Rule(TRACKERS),
    "audit.index": Rule(SEE_ALL),
    "audit.history": Rule(SEE_ALL),
    "audit.export_json": Rule(SEE_ALL),
    "audit.export_csv": Rule(SEE_ALL),
}
