"""Outgoing webhooks against a real HTTP receiver on 127.0.0.1: signed, retried, at least once."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from symfonie.contacts.actions.customers import do_create_customer
from symfonie.contacts.models import Customer
from symfonie.events.models import Event, WebhookDelivery, WebhookEndpoint
from symfonie.events.tasks import deliver_webhooks
from symfonie.events.webhooks import backoff_seconds, deliver_due, sign

SECRET = "s3cret-for-woonstad"


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def delivery_id(self) -> str:
        return self.headers["X-Symfonie-Delivery"]

    def signature_ok(self, secret: str) -> bool:
        timestamp = self.headers["X-Symfonie-Timestamp"]
        return self.headers["X-Symfonie-Signature"] == sign(secret, timestamp, self.body)


@dataclass
class Receiver:
    """A webhook receiver that records every POST and answers 500 to the first ``fail`` ones."""

    url: str = ""
    fail: int = 0
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def receiver():
    state = Receiver()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with state.lock:
                state.requests.append(Received(dict(self.headers.items()), body))
                failing = state.fail > 0
                state.fail -= failing
            self.send_response(500 if failing else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format, *args):  # keep the test output clean
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    # a short poll interval only makes shutdown() quick at teardown
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/symfonie"
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


def endpoint(tenant, url, event_types=(), **extra):
    return WebhookEndpoint.objects.create(
        tenant=tenant, url=url, secret=SECRET, event_types=list(event_types), **extra
    )


def create_jan(tenant):
    return do_create_customer(tenant, name="Jan", identities=[("phone", "0612345678")])


def test_delivery_is_signed_and_carries_an_idempotency_id(tenant, receiver):
    endpoint(tenant, receiver.url)
    jan = create_jan(tenant)
    events = list(Event.objects.filter(tenant=tenant).order_by("id"))
    assert [e.type for e in events] == ["customer.created", "identity.added"]

    now = timezone.now()
    assert deliver_due(now) == (2, None)

    assert len(receiver.requests) == 2
    by_event = {json.loads(r.body)["id"]: r for r in receiver.requests}
    assert set(by_event) == {e.pk for e in events}
    for event in events:
        request = by_event[event.pk]
        delivery = WebhookDelivery.objects.get(event=event)
        assert request.signature_ok(SECRET)
        assert not request.signature_ok("another secret")
        assert request.headers["X-Symfonie-Timestamp"] == str(int(now.timestamp()))
        assert request.headers["X-Symfonie-Event"] == event.type
        assert request.headers["Content-Type"] == "application/json"
        assert uuid.UUID(request.delivery_id) == delivery.delivery_id
        document = json.loads(request.body)
        assert document["type"] == event.type
        assert document["tenant"] == "woonstad"
        assert document["customer_id"] == jan.pk
        assert document["subject"] == {"type": event.subject_type, "id": event.subject_id}
        assert document["data"] == event.payload
        assert delivery.status == WebhookDelivery.Status.DELIVERED
        assert delivery.attempts == 1
        assert delivery.delivered_at == now
    assert len({r.delivery_id for r in receiver.requests}) == 2

    # delivered means done: a later run sends nothing again
    assert deliver_due(now + timedelta(days=1)) == (0, None)
    assert len(receiver.requests) == 2


def test_a_failed_attempt_backs_off_and_the_retry_keeps_the_delivery_id(tenant, receiver):
    endpoint(tenant, receiver.url, ["customer.created"])
    receiver.fail = 1
    create_jan(tenant)
    delivery = WebhookDelivery.objects.get()

    now = timezone.now()
    delivered, upcoming = deliver_due(now)
    delivery.refresh_from_db()
    assert delivered == 0
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.attempts == 1
    assert delivery.last_error == "HTTP 500"
    assert delivery.claimed_until is None
    assert delivery.next_attempt_at == now + timedelta(seconds=backoff_seconds(1))
    assert upcoming == delivery.next_attempt_at
    assert backoff_seconds(1) > 0

    # not yet due: nothing is sent
    assert deliver_due(delivery.next_attempt_at - timedelta(seconds=1))[0] == 0
    assert len(receiver.requests) == 1

    retry_at = delivery.next_attempt_at + timedelta(seconds=1)
    assert deliver_due(retry_at) == (1, None)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.attempts == 2
    assert delivery.delivered_at == retry_at
    assert delivery.last_error == ""

    first, second = receiver.requests
    assert first.delivery_id == second.delivery_id == str(delivery.delivery_id)
    assert first.body == second.body
    assert first.headers["X-Symfonie-Timestamp"] != second.headers["X-Symfonie-Timestamp"]
    assert first.signature_ok(SECRET)
    assert second.signature_ok(SECRET)


def test_after_the_last_attempt_the_delivery_has_failed(tenant, receiver, settings):
    endpoint(tenant, receiver.url, ["customer.created"])
    receiver.fail = 10_000
    create_jan(tenant)
    delivery = WebhookDelivery.objects.get()

    now = timezone.now()
    waits = []
    for attempt in range(1, settings.WEBHOOK_MAX_ATTEMPTS + 1):
        assert deliver_due(now)[0] == 0
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        if attempt < settings.WEBHOOK_MAX_ATTEMPTS:
            assert delivery.status == WebhookDelivery.Status.PENDING
            waits.append((delivery.next_attempt_at - now).total_seconds())
            now = delivery.next_attempt_at
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.last_error == "HTTP 500"
    assert waits == sorted(waits) and len(set(waits)) > 1, "the backoff grows"
    assert len(receiver.requests) == settings.WEBHOOK_MAX_ATTEMPTS
    assert {r.delivery_id for r in receiver.requests} == {str(delivery.delivery_id)}

    # a failed delivery is never retried
    assert deliver_due(now + timedelta(days=30)) == (0, None)
    assert len(receiver.requests) == settings.WEBHOOK_MAX_ATTEMPTS


def test_an_unreachable_receiver_counts_as_a_failed_attempt(tenant):
    with socket.socket() as probe:  # a port nobody listens on any more
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoint(tenant, f"http://127.0.0.1:{port}/", ["customer.created"])
    create_jan(tenant)

    now = timezone.now()
    assert deliver_due(now)[0] == 0
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.attempts == 1
    assert delivery.last_error
    assert delivery.next_attempt_at > now


def test_only_endpoints_that_want_the_event_type_get_a_delivery(tenant, other_tenant, receiver):
    wants_identities = endpoint(tenant, receiver.url + "/identities", ["identity.added"])
    wants_cases = endpoint(tenant, receiver.url + "/cases", ["case.opened"])
    inactive = endpoint(tenant, receiver.url + "/inactive", active=False)
    other = endpoint(other_tenant, receiver.url + "/other")
    create_jan(tenant)

    assert [d.event.type for d in WebhookDelivery.objects.filter(endpoint=wants_identities)] == [
        "identity.added"
    ]
    for unwanted in (wants_cases, inactive, other):
        assert not WebhookDelivery.objects.filter(endpoint=unwanted).exists()

    assert deliver_due(timezone.now()) == (1, None)
    assert len(receiver.requests) == 1
    assert receiver.requests[0].headers["X-Symfonie-Event"] == "identity.added"


def test_a_delivery_claimed_by_another_worker_is_not_sent_twice(tenant, receiver):
    endpoint(tenant, receiver.url, ["customer.created"])
    create_jan(tenant)
    now = timezone.now()
    WebhookDelivery.objects.update(claimed_until=now + timedelta(seconds=30))

    assert deliver_due(now)[0] == 0
    assert receiver.requests == []
    # a claim that has run out (the worker died) is taken over
    assert deliver_due(now + timedelta(seconds=31))[0] == 1
    assert len(receiver.requests) == 1


def test_the_delivery_exists_exactly_when_the_event_does(tenant, receiver):
    endpoint(tenant, receiver.url)

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        create_jan(tenant)
        assert Event.objects.filter(tenant=tenant).count() == 2
        assert WebhookDelivery.objects.count() == 2
        raise Abort

    assert not Customer.objects.filter(tenant=tenant).exists()
    assert not Event.objects.filter(tenant=tenant).exists()
    assert not WebhookDelivery.objects.exists()
    assert deliver_due(timezone.now()) == (0, None)
    assert receiver.requests == []


def test_commit_enqueues_the_task_that_delivers(
    tenant, receiver, django_capture_on_commit_callbacks
):
    endpoint(tenant, receiver.url, ["customer.created"])
    with django_capture_on_commit_callbacks(execute=True):
        create_jan(tenant)
    assert DBTaskResult.objects.filter(task_path__endswith="deliver_webhooks").exists()

    # what the worker runs: the task itself
    assert deliver_webhooks.call() == 1
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.DELIVERED
    assert len(receiver.requests) == 1
