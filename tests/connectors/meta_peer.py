"""A local Messenger/Instagram Send API peer on 127.0.0.1, and helpers to post signed webhooks.

Meta's cloud cannot run here; the peer follows the published contract: ``POST
/{version}/{page-id}/messages?access_token=…`` answered with ``{"recipient_id", "message_id"}``,
Graph API error bodies for a text outside the 24-hour window (``(#10)`` with subcode 2018278),
the rate limit (``(#613)`` with an ``X-Business-Use-Case-Usage`` header), a bad token (190) and
an unexpected server error (code 2, HTTP 500). It also serves attachment URLs, as Meta's CDN
does for the URLs in webhooks. Behaviour for a test is set on the instance.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.connectors.conftest import Hooks

MESSAGES = re.compile(r"^/(v\d+\.\d+)/([^/]+)/messages$")
FILES = re.compile(r"^/cdn/([\w.-]+)$")
TAGS = {"CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE", "ACCOUNT_UPDATE", "HUMAN_AGENT"}
CONNECTORS = Path(__file__).resolve().parents[2] / "src/symfonie/connectors"
APP_SECRET = "meta-app-secret-1"


def graph_error(code: int, message: str, subcode: int | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error["fbtrace_id"] = "BLBz/WZt8dN"
    return {"error": error}


OUTSIDE_WINDOW = graph_error(
    10,
    "(#10) This message is sent outside of allowed window. Learn more about the new policy "
    "here: https://developers.facebook.com/docs/messenger-platform/policy-overview",
    2018278,
)
RATE_LIMIT = graph_error(613, "(#613) Calls to this api have exceeded the rate limit.")
BAD_TOKEN = graph_error(190, "Invalid OAuth access token - Cannot parse access token")
UNEXPECTED = graph_error(2, "An unexpected error has occurred. Please retry your request later.")


class MetaPeer:
    def __init__(self, token: str, page_id: str) -> None:
        self.token = token
        self.page_id = page_id
        self.requests: list[dict[str, Any]] = []
        self.queries: list[dict[str, list[str]]] = []
        self.paths: list[str] = []
        self.files: dict[str, tuple[bytes, str]] = {}  # name → (bytes, Content-Type)
        self.outside_window: set[str] = set()  # recipients whose window Meta says is closed
        self.rate_limited = 0  # answer the next n sends with (#613)
        self.server_errors = 0  # answer the next n sends with HTTP 500
        self.drop_next = 0  # take the next n sends, then close without answering
        self.hang_next = 0  # take the next n sends and answer only when released
        self.released = threading.Event()
        self.sent = 0
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> MetaPeer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()

    def file_url(self, name: str) -> str:
        return f"{self.url}/cdn/{name}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(
                self,
                status: int,
                body: Any,
                content_type: str = "application/json",
                headers: dict[str, str] | None = None,
            ) -> None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                match = FILES.match(url.path)
                if not match or match.group(1) not in peer.files:
                    self._answer(404, b"Not Found", "text/plain")
                    return
                data, mime = peer.files[match.group(1)]
                self._answer(200, data, mime)

            def do_POST(self) -> None:
                url = urlsplit(self.path)
                query = parse_qs(url.query)
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                if query.get("access_token") != [peer.token]:
                    self._answer(400, BAD_TOKEN)
                    return
                match = MESSAGES.match(url.path)
                if not match or match.group(2) not in (peer.page_id, "me"):
                    self._answer(400, graph_error(100, "(#100) Unsupported post request."))
                    return
                try:
                    body = json.loads(raw)
                except ValueError:
                    self._answer(400, graph_error(100, "(#100) Invalid JSON"))
                    return
                problem = validate(body)
                if problem:
                    self._answer(400, graph_error(100, f"(#100) {problem}"))
                    return
                with peer.lock:
                    peer.requests.append(body)
                    peer.queries.append(query)
                    peer.paths.append(url.path)
                    if peer.rate_limited:
                        peer.rate_limited -= 1
                        usage = {
                            peer.page_id: [
                                {
                                    "type": "messenger",
                                    "call_count": 100,
                                    "total_cputime": 12,
                                    "total_time": 30,
                                    "estimated_time_to_regain_access": 1,
                                }
                            ]
                        }
                        self._answer(
                            400,
                            RATE_LIMIT,
                            headers={"X-Business-Use-Case-Usage": json.dumps(usage)},
                        )
                        return
                    if peer.server_errors:
                        peer.server_errors -= 1
                        self._answer(500, UNEXPECTED)
                        return
                    recipient = body["recipient"]["id"]
                    if recipient in peer.outside_window and body["messaging_type"] != "MESSAGE_TAG":
                        self._answer(400, OUTSIDE_WINDOW)
                        return
                    peer.sent += 1
                    mid = f"m_PEER{peer.sent:08d}"
                    drop = peer.drop_next > 0
                    hang = not drop and peer.hang_next > 0
                    if drop:
                        peer.drop_next -= 1
                    elif hang:
                        peer.hang_next -= 1
                if drop:
                    self.close_connection = True
                    self.connection.close()
                    return
                if hang:
                    peer.released.wait()
                self._answer(200, {"recipient_id": recipient, "message_id": mid})

        return Handler


def validate(body: Any) -> str:
    """The documented checks on a Send API request; an empty string when it is valid."""
    if not isinstance(body, dict) or not isinstance(body.get("recipient"), dict):
        return "param recipient must be an object"
    if not str(body["recipient"].get("id", "")).isdigit():
        return "param recipient[id] must be a page-scoped or Instagram-scoped id"
    kind = body.get("messaging_type")
    if kind not in ("RESPONSE", "UPDATE", "MESSAGE_TAG"):
        return "param messaging_type must be RESPONSE, UPDATE or MESSAGE_TAG"
    if (kind == "MESSAGE_TAG") != ("tag" in body) or ("tag" in body and body["tag"] not in TAGS):
        return "param tag is required with MESSAGE_TAG, one of the message tags, and only then"
    message = body.get("message")
    if not isinstance(message, dict) or not isinstance(message.get("text"), str):
        return "param message[text] must be a non-empty UTF-8 encoded string"
    if not message["text"] or len(message["text"]) > 2000:
        return "param message[text] must be a non-empty string of at most 2000 characters"
    if len(str(message.get("metadata", ""))) > 1000:
        return "param message[metadata] is at most 1000 characters"
    return ""


# -- webhooks --------------------------------------------------------------------------------


def fixture(kind: str, name: str, **changes: Any) -> dict[str, Any]:
    """A Meta example of ``connectors/<kind>/fixtures``; fields of its first messaging item
    replaced: ``mid``, ``text``, ``metadata`` (in ``message``), ``timestamp``, ``sender``."""
    document = json.loads((CONNECTORS / kind / "fixtures" / f"{name}.json").read_text())
    if not changes:
        return document
    item = document["entry"][0]["messaging"][0]
    message = item.get("message") or item.get("postback") or {}
    for key in ("mid", "text", "metadata"):
        if key in changes:
            message[key] = changes.pop(key)
    if "sender" in changes:
        item["sender"] = {"id": changes.pop("sender")}
    item.update(changes)
    return document


class MetaHooks(Hooks):
    """Posts Messenger/Instagram webhook bodies, signed like Meta signs them."""

    secret = APP_SECRET

    @staticmethod
    def tampered(body: bytes) -> bytes:
        """The body changed after signing: another sender, one byte more."""
        body = re.sub(rb'"sender": \{"id": "\d+"', b'"sender": {"id": "999"', body, count=1)
        return body + b" "
