"""Telegram Bot API file download: ``getFile`` gives a ``file_path``, fetched from
``{base_url}/file/bot<token>/<file_path>``. The base URL is per account, so the tests talk to a
local peer."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

from symfonie.connectors.models import ChannelAccount

TIMEOUT_SECONDS = 10.0


def _base(account: ChannelAccount) -> str:
    return account.base_url.rstrip("/")


def _token(account: ChannelAccount) -> str:
    return str(account.secrets.get("bot_token", ""))


def fetch_file(account: ChannelAccount, file_id: str) -> tuple[bytes, str]:
    """Download a file by ``file_id``. Returns (bytes, the ``file_path`` Telegram gave)."""
    query = urllib.parse.urlencode({"file_id": file_id})
    url = f"{_base(account)}/bot{_token(account)}/getFile?{query}"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            answer = json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        # never the URL: it carries the bot token
        raise RuntimeError(f"getFile answered HTTP {exc.code}") from None
    result = answer.get("result") if isinstance(answer, dict) and answer.get("ok") else None
    if not isinstance(result, dict) or not result.get("file_path"):
        raise RuntimeError("getFile gave no file_path")
    path = urllib.parse.quote(str(result["file_path"]), safe="/")
    download = f"{_base(account)}/file/bot{_token(account)}/{path}"
    try:
        with urllib.request.urlopen(download, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.read(), str(result["file_path"])
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"file download answered HTTP {exc.code}") from None
