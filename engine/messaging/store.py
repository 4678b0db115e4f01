"""Reads and writes of the `message_subscription` rows: projected by steps, searched by delivery."""
from __future__ import annotations

import json
from typing import Any, Mapping, cast

from sqlalchemy import Connection, Table, delete, insert, select

from engine.messaging.models import MessageSubscription
from engine.messaging.subscriptions import Subscription

SUBSCRIPTIONS = cast(Table, MessageSubscription.__table__)


class SubscriptionStore:
    def __init__(self, conn: Connection):
        self.conn = conn

    def sync(self, instance_id: str, before: Mapping[str, Subscription], after: Mapping[str, Subscription]) -> None:
        gone = [task_id for task_id, sub in before.items() if after.get(task_id) != sub]
        new = [sub for task_id, sub in after.items() if before.get(task_id) != sub]
        if gone:
            self.conn.execute(delete(SUBSCRIPTIONS).where(SUBSCRIPTIONS.c.instance_id == instance_id,
                                                          SUBSCRIPTIONS.c.task_id.in_(gone)))
        if new:
            self.conn.execute(insert(SUBSCRIPTIONS), [
                {"instance_id": instance_id, "task_id": sub.task_id, "message_name": sub.name,
                 "element": sub.element, "correlation": json.dumps(sub.correlation, sort_keys=True)}
                for sub in new])

    def waiting_for(self, name: str) -> dict[str, list[dict[str, Any]]]:
        """The expected correlation values of every subscription to `name`, by instance id."""
        rows = self.conn.execute(select(SUBSCRIPTIONS.c.instance_id, SUBSCRIPTIONS.c.correlation)
                                 .where(SUBSCRIPTIONS.c.message_name == name)
                                 .order_by(SUBSCRIPTIONS.c.instance_id))
        waiting: dict[str, list[dict[str, Any]]] = {}
        for instance_id, correlation in rows:
            waiting.setdefault(instance_id, []).append(json.loads(correlation))
        return waiting
