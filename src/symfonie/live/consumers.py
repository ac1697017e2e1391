"""The live WebSocket: a signed-in user receives the events of their active tenant.

On connect the client may send ``{"since": <last event id>}``; it then gets every event after
that id from the log before the live stream, so a reconnecting client misses nothing.
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from symfonie.events.models import Event
from symfonie.live.publish import event_message, remember_server_loop, tenant_group
from symfonie.tenants.scoping import tenancy_for

CATCH_UP_LIMIT = 500  # events per database query while catching up


class LiveConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        remember_server_loop()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        session = self.scope.get("session")
        tenant_id = session.get("symfonie_tenant_id") if session is not None else None
        tenancy = await database_sync_to_async(tenancy_for)(user, tenant_id)
        if tenancy is None:
            await self.close(code=4403)
            return
        self.tenant_id = tenancy.tenant.pk
        self.group = tenant_group(self.tenant_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def dispatch(self, message: dict[str, object]) -> None:
        # the fan-out handler touches no database: skip Channels' per-message thread hop
        # (close_old_connections), which serialised every socket's events through one thread
        if message.get("type") == "event.message":
            await self.event_message(message)
            return
        await super().dispatch(message)

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: object, **kwargs: object) -> None:
        if isinstance(content, dict) and isinstance(content.get("since"), int):
            since = content["since"]
            while True:  # in pages, until caught up: a long absence misses nothing either
                batch = await self._events_since(since)
                for message in batch:
                    await self.send_json({"kind": "event", "event": message})
                if len(batch) < CATCH_UP_LIMIT:
                    break
                since = int(str(batch[-1]["id"]))

    @database_sync_to_async
    def _events_since(self, since: int) -> list[dict[str, object]]:
        rows = Event.objects.filter(tenant_id=self.tenant_id, pk__gt=since).order_by("pk")
        return [event_message(row) for row in rows[:CATCH_UP_LIMIT]]

    async def event_message(self, message: dict[str, object]) -> None:
        await self.send_json({"kind": "event", "event": message["event"]})
