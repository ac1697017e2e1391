"""A local WhatsApp Cloud API peer on 127.0.0.1: the send and media endpoints as documented.

Meta's cloud cannot run here; this follows the published contract (request validation, the
``messages`` response, Graph API error bodies with the WhatsApp codes 131047 re-engagement and
130429 rate limit, 190 for a bad token). Behaviour for a test is set on the instance.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MESSAGES = re.compile(r"^/(v\d+\.\d+)/(\d+)/messages$")
MEDIA = re.compile(r"^/(v\d+\.\d+)/(\d+)$")
DOWNLOAD = re.compile(r"^/download/(\d+)$")


def graph_error(code: int, message: str, details: str = "") -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code}
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    error["fbtrace_id"] = "AXsgnV2Cm3ZMGF3dF_cfYIn"
    return {"error": error}


class Peer:
    def __init__(self, token: str, phone_number_id: str) -> None:
        self.token = token
        self.phone_number_id = phone_number_id
        self.requests: list[dict[str, Any]] = []
        self.media: dict[str, tuple[bytes, str]] = {}
        self.outside_window: set[str] = set()  # recipients whose window is closed
        self.rate_limited = 0  # answer the next n sends with 130429
        self.drop_next = 0  # take the next n sends, then close without answering
        self.sent = 0
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Peer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(
                self, status: int, body: Any, content_type: str = "application/json"
            ) -> None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _authorised(self) -> bool:
                if self.headers.get("Authorization") != f"Bearer {peer.token}":
                    self._answer(401, graph_error(190, "Invalid OAuth access token"))
                    return False
                return True

            def do_GET(self) -> None:
                if not self._authorised():
                    return
                if m := MEDIA.match(self.path):
                    media_id = m.group(2)
                    if media_id not in peer.media:
                        self._answer(404, graph_error(100, "Invalid media id"))
                        return
                    data, mime = peer.media[media_id]
                    self._answer(
                        200,
                        {
                            "messaging_product": "whatsapp",
                            "url": f"{peer.url}/download/{media_id}",
                            "mime_type": mime,
                            "sha256": "",
                            "file_size": len(data),
                            "id": media_id,
                        },
                    )
                elif m := DOWNLOAD.match(self.path):
                    data, mime = peer.media[m.group(1)]
                    self._answer(200, data, mime)
                else:
                    self._answer(404, graph_error(803, "Unknown path"))

            def do_POST(self) -> None:
                if not self._authorised():
                    return
                m = MESSAGES.match(self.path)
                if not m or m.group(2) != peer.phone_number_id:
                    self._answer(
                        400, graph_error(100, "Invalid parameter", "unknown phone number id")
                    )
                    return
                try:
                    body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                except ValueError:
                    self._answer(400, graph_error(100, "Invalid JSON"))
                    return
                problem = validate(body)
                if problem:
                    self._answer(400, graph_error(100, "Invalid parameter", problem))
                    return
                with peer.lock:
                    peer.requests.append(body)
                    if peer.rate_limited:
                        peer.rate_limited -= 1
                        self._answer(
                            429,
                            graph_error(
                                130429,
                                "Rate limit hit",
                                "Cloud API message throughput has been reached.",
                            ),
                        )
                        return
                    if body["type"] == "text" and body["to"] in peer.outside_window:
                        self._answer(
                            400,
                            graph_error(
                                131047,
                                "Re-engagement message",
                                "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
                            ),
                        )
                        return
                    peer.sent += 1
                    wamid = f"wamid.PEER{peer.sent:08d}"
                    if peer.drop_next:
                        peer.drop_next -= 1
                        self.close_connection = True
                        self.connection.close()
                        return
                self._answer(
                    200,
                    {
                        "messaging_product": "whatsapp",
                        "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                        "messages": [{"id": wamid}],
                    },
                )

        return Handler


def validate(body: Any) -> str:
    """The documented checks on a messages request; an empty string when it is valid."""
    if not isinstance(body, dict) or body.get("messaging_product") != "whatsapp":
        return "messaging_product must be 'whatsapp'"
    if not str(body.get("to", "")).lstrip("+").isdigit():
        return "to must be a phone number / WhatsApp id"
    if body.get("type") == "text":
        text = body.get("text") or {}
        if not isinstance(text.get("body"), str) or not text["body"] or len(text["body"]) > 4096:
            return "text.body is required, at most 4096 characters"
    elif body.get("type") == "template":
        template = body.get("template") or {}
        if not template.get("name") or not (template.get("language") or {}).get("code"):
            return "template.name and template.language.code are required"
        for component in template.get("components", []):
            for parameter in component.get("parameters", []):
                if parameter.get("type") == "text" and not parameter.get("text"):
                    return "a text parameter needs a text"
    else:
        return f"unsupported type {body.get('type')!r}"
    return ""
