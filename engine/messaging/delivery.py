"""Delivery of a message to the instances waiting for it, or to a new instance its start event makes.

A message thrown by an instance (throw event, send task, message end event) is delivered in the
sender's transaction, right after the sender's step is saved; a message posted from outside
(API, command line) is delivered in the transaction of the post. Either way each receiving
instance takes it in a step of its own, recording a `message_received` input, so the delivery
commits or rolls back with the send: exactly once.

Who receives, in this order:
1. instances waiting for the name whose known correlation values all equal the message's;
2. otherwise the one instance waiting for the name that knows no correlation values yet
   (several such instances: the message is ambiguous and refused);
3. otherwise a new instance of each process whose newest version starts with that message.
Nobody: the send is refused (Conflict), nothing is stored.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from sqlalchemy import Connection

from engine.definitions.service import LoadedDefinition
from engine.errors import Conflict, DefinitionUnloadable, N_
from engine.history.eventlog import INPUT
from engine.messaging.store import SubscriptionStore
from engine.messaging.subscriptions import SentMessage, Subscription, message_start
from engine.messaging.subscriptions import describe_wait as describe
from engine.definitions.lifecycle import startable_ids

if TYPE_CHECKING:
    from engine.runtime.service import Runtime
    from engine.runtime.step import InstanceStep

# A message answered by a message answered by … within one transaction: a loop in the diagrams.
MAX_DEPTH = 20


@dataclass(frozen=True)
class Delivered:
    """One instance a message reached (`started`: made by a message start event)."""

    instance_id: str
    process_key: str
    started: bool

    def as_dict(self) -> dict[str, Any]:
        return {"instance_id": self.instance_id, "process": self.process_key, "started": self.started}


@dataclass(frozen=True)
class Targets:
    instances: list[str]
    starts: list[LoadedDefinition]


def correlated(expected: Mapping[str, Any], carried: Mapping[str, Any]) -> bool:
    return all(prop in carried and carried[prop] == value for prop, value in expected.items())


class Mailroom:
    """The runtime's post office: keeps subscription rows in step and hands messages to their receivers."""

    def __init__(self, runtime: "Runtime"):
        self.runtime = runtime

    # -- called by every step's finish --------------------------------------------------------

    def project(self, conn: Connection, instance_id: str, before: Mapping[str, Subscription],
                after: Mapping[str, Subscription]) -> None:
        if before != after:
            SubscriptionStore(conn).sync(instance_id, before, after)

    def send_from(self, step: "InstanceStep", messages: list[SentMessage]) -> None:
        """Deliver what the step's instance threw, in the step's transaction."""
        conn = step.store.conn
        for message in messages:
            sender = {"instance": step.row.id, "process": step.definition.key, "element": message.element}
            self.deliver(conn, message.name, message.correlation, message.data, sender, None,
                         starter=step.row.started_by, depth=step.message_depth + 1)

    # -- delivery -------------------------------------------------------------------------------

    def targets(self, conn: Connection, name: str, correlation: Mapping[str, Any]) -> Targets:
        waiting = SubscriptionStore(conn).waiting_for(name)
        exact = [i for i, subs in waiting.items() if any(s and correlated(s, correlation) for s in subs)]
        if exact:
            return Targets(exact, [])
        open_ = [i for i, subs in waiting.items() if any(not s for s in subs)]
        if len(open_) > 1:
            raise Conflict(N_("%(sent)s is ambiguous: %(count)s instances wait for it and none is told apart by "
                              "correlation. Send it with the correlation values of the one instance it is for."),
                           sent=describe(name, correlation), count=len(open_))
        if open_:
            return Targets(open_, [])
        starts = self._starting(conn, name)
        if not starts:
            raise Conflict(N_("%(sent)s reaches nobody: no running instance waits for it with that correlation "
                              "and no deployed process starts with it. Nothing was stored."),
                           sent=describe(name, correlation))
        return Targets([], starts)

    def deliver(self, conn: Connection, name: str, correlation: Mapping[str, Any], data: Any,
                sender: dict[str, Any], actor: str | None, starter: str | None = None, depth: int = 0,
                targets: Targets | None = None) -> list[Delivered]:
        """Hand the message to its receivers. `actor` is the user who posted it (None when an instance
        threw it); an instance it starts is started by `starter` (the sender's starter) or the actor."""
        if depth > MAX_DEPTH:
            raise Conflict(N_("%(sent)s is one of more than %(depth)s messages answering each other in one go; the "
                              "diagrams loop. Nothing was stored."), sent=describe(name, correlation),
                           depth=MAX_DEPTH)
        targets = targets or self.targets(conn, name, correlation)
        delivered = []
        for definition in targets.starts:
            step = self.runtime.new_instance_step(conn, definition, actor or starter or "")
            step.message_depth = depth
            step.record(INPUT, "instance_started", {"process": definition.key, "version": definition.version,
                                                    "data": {}, "message": name}, actor=actor)
            step.start({})
            step.finish(is_new=True)
            delivered.append(self._receive(conn, step.row.id, name, correlation, data, sender, actor, depth, True))
        for instance_id in targets.instances:
            delivered.append(self._receive(conn, instance_id, name, correlation, data, sender, actor, depth, False))
        return delivered

    def _receive(self, conn: Connection, instance_id: str, name: str, correlation: Mapping[str, Any], data: Any,
                 sender: dict[str, Any], actor: str | None, depth: int, started: bool) -> Delivered:
        step = self.runtime.locked_step(conn, instance_id)
        step.message_depth = depth
        step.receive_message(name, dict(correlation), data, sender, actor)
        step.finish()
        return Delivered(instance_id, step.definition.key, started)

    def _starting(self, conn: Connection, name: str) -> list[LoadedDefinition]:
        return [d for d in newest_loadable(conn, self.runtime.definitions)
                if message_start(d.spec, name) is not None]


def newest_loadable(conn: Connection, definitions: Any) -> Iterator[LoadedDefinition]:
    """The newest version of every deployed process that still loads: what a message or signal may start."""
    for _key, definition_id in sorted(startable_ids(conn).items()):
        try:
            yield definitions.load(definition_id)
        except DefinitionUnloadable:
            continue  # a version that no longer loads starts nothing; its owner sees why elsewhere
