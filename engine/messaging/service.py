"""Posting a message from outside (API, command line): check who may send it, deliver it, one transaction."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from engine.access import Actor, may_send_message
from engine.errors import Forbidden, InvalidInput, N_
from engine.messaging.delivery import Delivered
from engine.persistence import Database
from engine.runtime.service import start_groups
from engine.runtime.store import INSTANCES
from engine.users import groups_of

if TYPE_CHECKING:
    from engine.runtime.service import Runtime


class MessageService:
    def __init__(self, db: Database, runtime: "Runtime"):
        self.db = db
        self.runtime = runtime

    def send(self, name: Any, correlation: Any, data: Any, actor: str) -> list[Delivered]:
        """Deliver `name` to the instances waiting for it (or start one); refused as a whole if the actor
        may not send it to every one of them."""
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput(N_("a message needs a name"),
                               {"name": ["give the message name as the diagram spells it"]})
        if correlation is None:
            correlation = {}
        if not isinstance(correlation, dict):
            raise InvalidInput(N_("correlation must be a JSON object of correlation property ids and values"),
                               {"correlation": ["expected an object such as {\"order_id\": \"A1\"}"]})
        if data is None:
            data = {}
        mailroom = self.runtime.mailroom
        with self.db.transaction() as conn:
            sender = Actor(actor, frozenset(groups_of(conn, actor)))
            targets = mailroom.targets(conn, name, correlation)
            processes = list(targets.starts)
            if targets.instances:
                pinned = conn.execute(select(INSTANCES.c.definition_id).distinct()
                                      .where(INSTANCES.c.id.in_(targets.instances))).scalars()
                processes.extend(self.runtime.definitions.load(definition_id) for definition_id in pinned)
            for definition in processes:
                if not may_send_message(sender, start_groups(definition.spec)):
                    raise Forbidden(N_("%(actor)s may not send message '%(sent)s' to '%(key)s': its starters, "
                                       "process owners and administrators may"), actor=actor, sent=name,
                                    key=definition.key)
            delivered = mailroom.deliver(conn, name, correlation, data, {"actor": actor}, actor, targets=targets)
        return delivered
