"""The router thread of a server process, and the inline router of tests and commands.

Every server process starts a ``RouterThread``. It tries to lead once a second; the one that
leads loads the router, then carries out commands as they come (woken at once by a submit in
its own process, otherwise it looks every ``POLL_SECONDS``) and ticks at the router's next
deadline (offer timeouts, relaxation steps, overflow). A leader that loses its lock (its
database connection broke) stops at once and becomes a follower again.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import close_old_connections, connection

from symfonie.routing.leadership import AlwaysLeader, Leadership, for_this_database
from symfonie.routing.service import RouterService

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.05
TRY_LEAD_SECONDS = 1.0
CHECK_LOCK_SECONDS = 1.0
ESTIMATE_SECONDS = 2.0


class RouterThread(threading.Thread):
    def __init__(self, leadership: Leadership | None = None) -> None:
        super().__init__(name="symfonie-router", daemon=True)
        self.leadership = leadership
        self.service = RouterService()
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.leading = threading.Event()

    def run(self) -> None:
        leadership = self.leadership or for_this_database()
        while not self.stopping.is_set():
            try:
                if leadership.try_acquire():
                    self._lead(leadership)
            except Exception:
                logger.exception("router thread: error; retrying")
                self.leading.clear()
                close_old_connections()
                connection.close()
            self.stopping.wait(TRY_LEAD_SECONDS)
        leadership.release()

    def _lead(self, leadership: Leadership) -> None:
        service = self.service
        with service.lock:
            service.load()
        self.leading.set()
        logger.info("router: leading")
        checked = estimated = time.monotonic()
        try:
            while not self.stopping.is_set():
                with service.lock:
                    while service.process_pending():
                        pass
                    deadline = service.next_deadline()
                    now = service.clock()
                    if deadline is not None and deadline <= now:
                        service.tick()
                        deadline = service.next_deadline()
                wait = POLL_SECONDS
                if deadline is not None:
                    wait = min(wait, max(0.0, (deadline - service.clock()).total_seconds()))
                self.wake.wait(wait)
                self.wake.clear()
                if time.monotonic() - estimated > ESTIMATE_SECONDS:
                    estimated = time.monotonic()
                    with service.lock:
                        service.refresh_estimates()
                if time.monotonic() - checked > CHECK_LOCK_SECONDS:
                    checked = time.monotonic()
                    if not leadership.still_held():
                        logger.warning("router: lost leadership")
                        return
        finally:
            self.leading.clear()
            with service.lock:
                if service.router is not None and leadership.still_held():
                    try:
                        service.take_snapshot()
                    except Exception:
                        logger.exception("router: final snapshot failed")
                service.router = None

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()


_thread: RouterThread | None = None
_inline: RouterService | None = None
_inline_lock = threading.Lock()


def start_router_thread() -> RouterThread:
    """Start this process's router thread (``symfonie serve``)."""
    global _thread
    if _thread is None or not _thread.is_alive():
        _thread = RouterThread()
        _thread.start()
    return _thread


def local_thread() -> RouterThread | None:
    return _thread


def inline_service() -> RouterService:
    """The router for a process without a router thread (tests, one-shot commands): loaded
    from the database on first use; ``reset_inline`` forgets it (tests roll the database back)."""
    global _inline
    with _inline_lock:
        if _inline is None:
            service = RouterService()
            AlwaysLeader().try_acquire()
            with service.lock:
                service.load()
            _inline = service
        return _inline


def reset_inline() -> None:
    global _inline
    _inline = None
