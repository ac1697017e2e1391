"""A local Twilio-compatible Messages API peer on 127.0.0.1.

Twilio's cloud cannot run here; this follows its published contract
(``src/symfonie/connectors/sms/fixtures/SOURCE.md``): ``POST
/2010-04-01/Accounts/{AccountSid}/Messages.json`` with a form body and HTTP basic auth
AccountSid:auth token, answered 201 with the Message resource; errors as ``{"code", "message",
"more_info", "status"}`` (20003 authentication, 21211 invalid To, 21602/21603/21604 missing
fields, 21617 body too long, 20429 rate limit with ``Retry-After``); media at
``/2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media/{MediaSid}``, redirected to a
CDN path as Twilio does. Behaviour for a test is set on the instance; every request is recorded.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

MESSAGES = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-f]{32})/Messages\.json$")
MEDIA = re.compile(
    r"^/2010-04-01/Accounts/(AC[0-9a-f]{32})/Messages/(MM[0-9a-f]{32})/Media/(ME[0-9a-f]{32})$"
)
CDN = re.compile(r"^/cdn/(ME[0-9a-f]{32})$")
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


def twilio_error(status: int, code: int, message: str) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


class TwilioPeer:
    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.requests: list[dict[str, Any]] = []  # every request: method, path, headers, form
        self.sends: list[dict[str, str]] = []  # the form of each Messages POST that passed auth
        self.media: dict[str, tuple[bytes, str]] = {}  # media sid → (bytes, MIME type)
        self.invalid_numbers: set[str] = set()  # To numbers answered with 21211
        self.rate_limited = 0  # answer the next n sends with 429 / 20429
        self.retry_after = "30"
        self.server_errors = 0  # answer the next n sends with 503
        self.drop_next = 0  # take the next n sends, then close without answering
        self.hang_next = 0  # take the next n sends and answer only when the peer stops
        self.sent = 0
        self.lock = threading.Lock()
        self.released = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> TwilioPeer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()

    def media_url(self, message_sid: str, media_sid: str) -> str:
        return f"{self.url}/2010-04-01/Accounts/{self.account_sid}/Messages/{message_sid}/Media/{media_sid}"

    def _credentials(self) -> str:
        pair = f"{self.account_sid}:{self.auth_token}".encode()
        return "Basic " + base64.b64encode(pair).decode()

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

            def _record(self, form: dict[str, str] | None = None) -> None:
                with peer.lock:
                    peer.requests.append(
                        {
                            "method": self.command,
                            "path": urlsplit(self.path).path,
                            "authorization": self.headers.get("Authorization"),
                            "content_type": self.headers.get("Content-Type"),
                            "form": form,
                        }
                    )

            def _authorised(self) -> bool:
                if self.headers.get("Authorization") != peer._credentials():
                    self._answer(401, twilio_error(401, 20003, "Authenticate"))
                    return False
                return True

            def do_GET(self) -> None:
                self._record()
                path = urlsplit(self.path).path
                if m := MEDIA.match(path):
                    if not self._authorised():
                        return
                    if m.group(1) != peer.account_sid or m.group(3) not in peer.media:
                        self._answer(
                            404,
                            twilio_error(
                                404, 20404, f"The requested resource {path} was not found"
                            ),
                        )
                        return
                    # Twilio redirects a media URL to its CDN
                    self._answer(307, b"", "text/plain", {"Location": f"/cdn/{m.group(3)}"})
                elif m := CDN.match(path):
                    data, mime = peer.media.get(m.group(1), (b"", ""))
                    if not mime:
                        self._answer(404, b"Not Found", "text/plain")
                        return
                    self._answer(200, data, mime)
                else:
                    self._answer(404, twilio_error(404, 20404, f"{path} was not found"))

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                form = dict(parse_qsl(raw.decode(), keep_blank_values=True))
                self._record(form)
                m = MESSAGES.match(urlsplit(self.path).path)
                if not self._authorised():
                    return
                if not m or m.group(1) != peer.account_sid:
                    self._answer(
                        404, twilio_error(404, 20404, "The requested resource was not found")
                    )
                    return
                if self.headers.get("Content-Type") != "application/x-www-form-urlencoded":
                    self._answer(400, twilio_error(400, 21602, "Message body is required."))
                    return
                problem = validate(form)
                if problem:
                    self._answer(400, problem)
                    return
                with peer.lock:
                    peer.sends.append(form)
                    if peer.rate_limited:
                        peer.rate_limited -= 1
                        self._answer(
                            429,
                            twilio_error(429, 20429, "Too Many Requests"),
                            headers={"Retry-After": peer.retry_after},
                        )
                        return
                    if peer.server_errors:
                        peer.server_errors -= 1
                        self._answer(503, twilio_error(503, 20500, "Service Unavailable"))
                        return
                    if form["To"] in peer.invalid_numbers:
                        self._answer(
                            400,
                            twilio_error(
                                400,
                                21211,
                                f"The 'To' number {form['To']} is not a valid phone number.",
                            ),
                        )
                        return
                    peer.sent += 1
                    sid = f"SM{peer.sent:032x}"
                    drop, hang = peer.drop_next > 0, peer.hang_next > 0
                    peer.drop_next -= int(drop)
                    peer.hang_next -= int(hang)
                if drop:
                    self.close_connection = True
                    self.connection.close()
                    return
                if hang:
                    peer.released.wait()
                    return
                self._answer(201, message_resource(peer, sid, form))

        return Handler


def validate(form: dict[str, str]) -> dict[str, Any] | None:
    """The documented checks on a create-message request; None when it is valid."""
    if not form.get("To"):
        return twilio_error(400, 21604, "A 'To' phone number is required.")
    if not form.get("From") and not form.get("MessagingServiceSid"):
        return twilio_error(400, 21603, "A 'From' phone number is required.")
    if not form.get("Body") and not form.get("MediaUrl"):
        return twilio_error(400, 21602, "Message body is required.")
    if len(form.get("Body", "")) > 1600:
        return twilio_error(
            400, 21617, "The concatenated message body exceeds the 1600 character limit."
        )
    if not E164.match(form["To"]):
        return twilio_error(
            400, 21211, f"The 'To' number {form['To']} is not a valid phone number."
        )
    return None


def message_resource(peer: TwilioPeer, sid: str, form: dict[str, str]) -> dict[str, Any]:
    """The Message resource of a newly created outbound message."""
    now = format_datetime(datetime.now(UTC), usegmt=True)
    service = form.get("MessagingServiceSid")
    return {
        "account_sid": peer.account_sid,
        "api_version": "2010-04-01",
        "body": form["Body"],
        "date_created": now,
        "date_sent": None,
        "date_updated": now,
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": None if service else form.get("From"),
        "messaging_service_sid": service,
        "num_media": "0",
        "num_segments": "0" if service else "1",
        "price": None,
        "price_unit": "USD",
        "sid": sid,
        "status": "accepted" if service else "queued",
        "subresource_uris": {
            "media": f"/2010-04-01/Accounts/{peer.account_sid}/Messages/{sid}/Media.json"
        },
        "to": form["To"],
        "uri": f"/2010-04-01/Accounts/{peer.account_sid}/Messages/{sid}.json",
    }
