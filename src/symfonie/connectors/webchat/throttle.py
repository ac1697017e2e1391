"""Rate limit of chat starts per client address, counted in Django's cache.

Fixed one-minute windows: simple and good enough against a script opening chats in a loop.
The count lives in the default cache, which is per process with the in-memory cache: with
several processes each counts on its own (configure a shared cache to count across them).
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest

STARTS_PER_MINUTE = 10


def client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR, not X-Forwarded-For: that header is the client's to forge. Behind a
    # reverse proxy every customer shares the proxy's address (see the report/docs).
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def allow_start(request: HttpRequest, now: float | None = None) -> bool:
    """Count this start attempt; False once the address made more than the limit this minute."""
    window = int((time.time() if now is None else now) // 60)
    key = f"symfonie:webchat:start:{client_address(request)}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    return count <= STARTS_PER_MINUTE
