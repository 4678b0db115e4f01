"""Who may use which route: the expectations walked by test_routes_by_role.py.

Every endpoint in `app.url_map` must have a rule here; a helper that adds routes adds its rules
(append below). Roles are the users of conftest.ROLE_USERS; the scenario is conftest.Scenario.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.config import PROJECT_ROOT

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
    auth: str = "session"  # how the role's client signs in: "session" (cookie) or "bearer" (API token)
    values: dict[str, str] = field(default_factory=dict)  # URL values beyond the scenario's
    answers: int | None = None  # every role gets exactly this status (e.g. the API's 404 for unknown paths)
    upload: bool = False  # send the demo process's files as a multipart upload
    document: bool = False  # send one small text file as the multipart part `file`
    as_json: bool = False  # a session POST whose page script sends JSON (with its CSRF header)


RULES: dict[str, Rule] = {
    "static": Rule(EVERYONE, values={"filename": "casedesk.css"}),
    "home": Rule(EVERYONE),
    "healthz": Rule(EVERYONE),
    "auth.login": Rule(EVERYONE),
    "auth.logout": Rule(SIGNED_IN, "POST"),
    "i18n.set_language": Rule(EVERYONE),
    "i18n.set_timezone": Rule(EVERYONE, "POST", {"timezone": "Asia/Shanghai"}),
    "inbox.index": Rule(SIGNED_IN),
    "inbox.claim": Rule(frozenset({"reviewer"}), "POST"),
    "inbox.unclaim": Rule(frozenset({"reviewer"}), "POST", claimed=True),
    "tasks.show": Rule(INSTANCE_VIEWERS),  # read-only for those who may see the case
    "tasks.complete": Rule(frozenset({"reviewer"}), "POST", {"decision": "approve"}),
    "start.index": Rule(SIGNED_IN),
    "start.start": Rule(frozenset({"clerk"}), "POST", {"title": "New"}),
    "instances.index": Rule(SIGNED_IN),
    "instances.show": Rule(INSTANCE_VIEWERS),
    "instances.diagram": Rule(INSTANCE_VIEWERS, values={"filename": "document_review.bpmn"}),
    "instances.cancel": Rule(frozenset({"clerk", "admin"}), "POST", {"reason": "duplicate"}),
    "tracker.index": Rule(TRACKERS),
    "tracker.report": Rule(TRACKERS),
    "audit.index": Rule(SEE_ALL),
    "audit.history": Rule(SEE_ALL),
    "audit.export_json": Rule(SEE_ALL),
    "audit.export_csv": Rule(SEE_ALL),
}

# -- JSON API /api/v1 (bearer tokens; a refusal is 401, 403, or 404 for what the caller may not see) --
API_STAFF = SIGNED_IN - {"auditor"}  # auditors read and change nothing
RULES.update({
    "api-docs.openapi_json": Rule(EVERYONE),
    "api_fallback.unknown": Rule(EVERYONE, values={"rest": "nothing"}, answers=404),
    "api_fallback.unknown_1": Rule(EVERYONE, values={"rest": "no/such/thing"}, answers=404),
    "api_auth.create_token": Rule(EVERYONE, "POST", {"username": "u_clerk", "password": "correct-horse-1"},
                                  auth="bearer"),
    "api_processes.list_processes": Rule(SIGNED_IN, auth="bearer"),
    "api_processes.deploy_processes": Rule(frozenset({"process_owner"}), "POST", auth="bearer", upload=True),
    "api_processes.start_instance": Rule(frozenset({"clerk"}), "POST", {"data": {"title": "API"}}, auth="bearer"),
    # Bringing back what is in service changes nothing, so the walk's later starts still work.
    "api_processes.set_retired": Rule(frozenset({"process_owner"}), "POST", {"retired": False}, auth="bearer"),
    "api_instances.list_instances": Rule(SIGNED_IN, auth="bearer"),
    "api_instances.get_instance": Rule(INSTANCE_VIEWERS, auth="bearer"),
    "api_instances.instance_history": Rule(INSTANCE_VIEWERS, auth="bearer"),
    "api_instances.cancel_instance": Rule(frozenset({"clerk", "admin"}), "POST", {"reason": "duplicate"},
                                          auth="bearer"),
    "api_tasks.list_tasks": Rule(SIGNED_IN, auth="bearer"),
    "api_tasks.get_task": Rule(INSTANCE_VIEWERS, auth="bearer"),
    "api_tasks.claim_task": Rule(frozenset({"reviewer"}), "POST", auth="bearer"),
    "api_tasks.unclaim_task": Rule(frozenset({"reviewer"}), "POST", claimed=True, auth="bearer"),
    "api_tasks.complete_task": Rule(frozenset({"reviewer"}), "POST", {"data": {"decision": "approve"}},
                                    auth="bearer"),
    "vendor.bpmn_js": Rule(EVERYONE, values={"filename": "bpmn-viewer.production.min.js"}),
})

# -- replay, time travel and heatmaps (issue 6): auditors and administrators ----------------------
RULES.update({
    "replay.history": Rule(SEE_ALL),
    "replay.state": Rule(SEE_ALL, values={"seq": "3"}),
    "replay.heatmaps": Rule(SEE_ALL),
    "replay.heatmap": Rule(SEE_ALL),
    "api_replay.replay_instance": Rule(SEE_ALL, "POST", auth="bearer"),
    "api_replay.state_at": Rule(SEE_ALL, auth="bearer"),
})

# -- process-owner pages (api helper): definitions are read by owners, auditors and admins; only owners deploy --
DEFINITION_READERS = frozenset({"process_owner", "auditor", "admin"})
VERSION_1 = {"version": "1", "name": "document_review.bpmn"}
DEMO_DIAGRAM = (PROJECT_ROOT / "processes" / "demo" / "document_review.bpmn").read_text(encoding="utf-8")
RULES.update({
    "owner.static": Rule(EVERYONE, values={"filename": "owner.css"}),
    "owner.definitions": Rule(DEFINITION_READERS),
    "owner.version": Rule(DEFINITION_READERS, values=VERSION_1),
    "owner.file": Rule(DEFINITION_READERS, values=VERSION_1),
    "owner.diagram": Rule(DEFINITION_READERS, values=VERSION_1),
    "owner.diff": Rule(DEFINITION_READERS),
    "owner.deploy": Rule(frozenset({"process_owner"})),
    "owner.edit": Rule(frozenset({"process_owner"}), values=VERSION_1),
    "owner.retirement": Rule(frozenset({"process_owner"}), "POST", {"retired": "0"}),
})

# -- properties panel (modeler helper): operators and the live sandbox check, for process owners only --
RULES.update({
    "owner.operators": Rule(frozenset({"process_owner"})),
    "vendor.properties_panel": Rule(EVERYONE, values={"filename": "properties-panel.css"}),
    "vendor.built": Rule(EVERYONE, values={"filename": "owner-modeler.js"}),
    "owner.check": Rule(frozenset({"process_owner"}), "POST", {"source": "1 + 1", "kind": "expression"}),
    "api_processes.list_operators": Rule(frozenset({"process_owner"}), auth="bearer"),
    "api_processes.check_source": Rule(frozenset({"process_owner"}), "POST", {"source": "1", "kind": "expression"},
                                       auth="bearer"),
})

# -- accounts (issue 12): tokens listed and revoked by their owner or an administrator; users deactivated by admins --
RULES.update({
    "api_auth.list_tokens": Rule(SIGNED_IN, auth="bearer"),
    "api_auth.revoke_token": Rule(frozenset(), "DELETE", auth="bearer", values={"token_id": "999999"}),
    "api_users.deactivate_user": Rule(frozenset({"admin"}), "POST", auth="bearer", values={"username": "bob"}),
    "api_users.activate_user": Rule(frozenset({"admin"}), "POST", auth="bearer", values={"username": "bob"}),
})

# -- instance migration (migration helper): process owners and administrators --
MIGRATORS = frozenset({"process_owner", "admin"})
RULES.update({
    "owner.migrate": Rule(MIGRATORS),
    "api_processes.migrate_instances": Rule(MIGRATORS, "POST", {"from_version": 1, "to_version": 1},
                                            auth="bearer"),
})

# -- messages (messaging helper): a process's starters (any staff without lanes), process owners, admins.
# The walk deploys tests/fixtures/bpmn/messages: this message starts a new packing_room instance.
RULES.update({
    "api_messages.send_message": Rule(
        SIGNED_IN - {"auditor"}, "POST",
        {"name": "order_placed", "correlation": {"order_id": "W1"}, "data": {"order_id": "W1", "item": "pen"}},
        auth="bearer"),
})

# -- administration, reassign/delegate/release (issue 13): administrators; a group's head; the task's holder --
ADMINS = frozenset({"admin"})
RULES.update({
    "admin_users.index": Rule(ADMINS),
    "admin_users.add": Rule(ADMINS, "POST", {"username": "walker", "password": "walker-pass-1", "groups": "clerk"}),
    "admin_users.reset_password": Rule(ADMINS, "POST", {"password": "another-pass-1"}, values={"username": "bob"}),
    "admin_users.set_active": Rule(ADMINS, "POST", {"active": "true"}, values={"username": "bob"}),
    "admin_users.set_groups": Rule(ADMINS, "POST", {"groups": "clerk"}, values={"username": "bob"}),
    "admin_ops.incidents": Rule(ADMINS),
    "admin_ops.retry": Rule(ADMINS, "POST", values={"incident_id": "999999"}),
    "admin_ops.jobs": Rule(ADMINS),
    "admin_ops.outbox_messages": Rule(ADMINS),
    "handover.team": Rule(ADMINS),  # and the heads of groups (no head among the walked roles)
    "handover.reassign": Rule(ADMINS, "POST", {"to": "rita"}, claimed=True),
    "handover.release": Rule(ADMINS, "POST", claimed=True),
    "handover.delegate": Rule(frozenset({"reviewer"}), "POST", {"to": "rita"}, claimed=True),
})

# -- the archive in the web (archiveweb helper, R-6.4): anyone signed in may ask to read (the guard refuses
# and logs: nobody in the walk holds a borrowing); the register, loans and access log are for archivists
# (not a walked role) and auditors.
REGISTER_READERS = frozenset({"auditor"})
RULES.update({
    "archive.borrowings": Rule(SIGNED_IN),
    "archive.read": Rule(frozenset(), values={"number": "DA-XS-2026-000001"}),
    "archive.register": Rule(REGISTER_READERS),
    "archive.record": Rule(REGISTER_READERS, values={"number": "DA-XS-2026-000001"}),
    "archive.loans": Rule(REGISTER_READERS),
    "archive.accesses": Rule(REGISTER_READERS),
})
# -- group names per language (i18n helper, issue 13 item 6): administrators --
RULES.update({
    "admin_users.set_group_titles": Rule(ADMINS, "POST", {"title_en": "Reviewers"}, values={"name": "reviewer"}),
})

# -- quality assessment (quality helper, R-4.3): the quality owner, leaders and administrators --
RULES.update({
    "quality.index": Rule(frozenset({"admin"})),
    "quality.appraisal_csv": Rule(frozenset({"admin"})),
})

# -- the risk register (risk helper, R-5): the risk owner and leaders (not walked roles) and administrators.
RULES.update({
    "risk.register": Rule(frozenset({"admin"})),
})

# -- the account page (archiveweb helper, issue 13 item 10): each signed-in user's own digest settings --
RULES.update({
    "account.index": Rule(SIGNED_IN),
    "account.save_notifications": Rule(SIGNED_IN, "POST", {"digest": "on", "email": "", "language": "en"}),
})
RULES.update({
    "risk.set_threshold": Rule(frozenset({"admin"}), "POST", {"threshold": "0.3"}, values={"code": "overdue_rate"}),
})

# -- test runs and test cases (issue 16, item 6): owners, auditors and admins see; only owners run and save --
RULES.update({
    "owner_testruns.cases": Rule(DEFINITION_READERS, values=VERSION_1),
    "owner_testruns.run": Rule(frozenset({"process_owner"}), "POST", {"script": "{}"}, values=VERSION_1),
    "owner_testruns.delete": Rule(frozenset({"process_owner"}), "POST", {"name": "no such case"}, values=VERSION_1),
    "api_testruns.run_test": Rule(frozenset({"process_owner"}), "POST", {"script": {}}, auth="bearer"),
    "api_testruns.check_cases": Rule(frozenset({"process_owner"}), auth="bearer"),
})

# -- form editor (issue 16, item 3): process owners edit a version's forms with a live preview --
FORM_1 = {"version": "1", "name": "review.schema.json"}
RULES.update({
    "owner_forms.edit": Rule(frozenset({"process_owner"}), values=FORM_1),
    "owner_forms.preview": Rule(frozenset({"process_owner"}), "POST",
                                {"schema": '{"type": "object"}', "ui_schema": "{}", "sample": "{}"}, values=FORM_1),
})

# -- decision tables in the browser (dmn helper, issue 16 item 2): process owners only, as the BPMN modeler --
RULES.update({
    "owner_decisions.edit": Rule(frozenset({"process_owner"}), values=VERSION_1),
    "owner_decisions.create": Rule(frozenset({"process_owner"}), "POST", {
        "file": "extra.dmn", "decision_id": "extra", "decision_name": "Extra", "inputs": "title", "outputs": "level"},
        values=VERSION_1),
    "owner_draft_runs.run_draft": Rule(frozenset({"process_owner"}), "POST", {
        "file": "document_review.bpmn", "xml": DEMO_DIAGRAM, "script": "{}"}, values=VERSION_1, as_json=True),
})

# -- leave: every staff member sees their own leave requests (and a head who is away) --
RULES.update({
    "leave.index": Rule(frozenset({"clerk", "reviewer", "outsider", "tracker"})),
})

# -- the training page (training helper, R-7): every staff member (their own records), auditors and administrators --
RULES.update({
    "training.index": Rule(SIGNED_IN - {"process_owner"}),
})

# -- documents attached to forms (attach helper, issue 15 item 6): staff upload; a case's files go to those who
# see the case (none here: the demo case holds no file), an archived case's only under a borrowing (R-6.4) --
RULES.update({
    "api_documents.upload_document": Rule(frozenset({"clerk", "reviewer", "outsider", "tracker"}), "POST",
                                          auth="bearer", document=True),
    "instances.document": Rule(frozenset(), values={"sha256": "0" * 64}),
    "api_case_documents.get_case_document": Rule(frozenset(), auth="bearer", values={"sha256": "0" * 64}),
    "archive.read_document": Rule(frozenset(), values={"number": "DA-XS-2026-000001", "sha256": "0" * 64}),
})
