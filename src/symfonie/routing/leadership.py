"""Who runs the router: exactly one process of the installation at a time.

PostgreSQL: a session-level advisory lock held on the router thread's own connection; when the
process dies its connection closes, the lock is released, and another process's router thread
takes it within a second. SQLite (embedded, one machine): an exclusive ``flock`` on a file in
the data directory, released by the kernel when the process dies.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path
from typing import IO, Protocol

from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)

#: The advisory lock key: "SYMFONIE" in ASCII, one router per installation (see docs/routing.md).
ADVISORY_KEY = 0x53594D464F4E4945 - 2**63


class Leadership(Protocol):
    def try_acquire(self) -> bool: ...
    def still_held(self) -> bool: ...
    def release(self) -> None: ...


class AdvisoryLock:
    """``pg_try_advisory_lock`` on this thread's database connection."""

    def __init__(self, key: int = ADVISORY_KEY) -> None:
        self.key = key
        self.held = False

    def try_acquire(self) -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [self.key])
            self.held = bool(cursor.fetchone()[0])
        return self.held

    def still_held(self) -> bool:
        """True while this connection holds the lock (False once the connection is gone)."""
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND pid = pg_backend_pid() AND granted AND objid = %s AND classid = %s",
                    [self.key & 0xFFFFFFFF, (self.key >> 32) & 0xFFFFFFFF],
                )
                self.held = cursor.fetchone()[0] > 0
        except Exception:
            self.held = False
        return self.held

    def release(self) -> None:
        if self.held:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [self.key])
            except Exception:  # the connection is gone, and the lock with it
                logger.info("router: advisory unlock on a lost connection")
        self.held = False


class FileLock:
    """An exclusive ``flock`` on ``<data dir>/router.lock``."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or Path(settings.DATA_DIR) / "router.lock"
        self.handle: IO[str] | None = None

    def try_acquire(self) -> bool:
        if self.handle is not None:
            return True
        handle = open(self.path, "a+")  # noqa: SIM115 (held open as long as we lead)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self.handle = handle
        return True

    def still_held(self) -> bool:
        return self.handle is not None

    def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


class AlwaysLeader:
    """For the inline router of tests and one-shot commands: the caller is the only process."""

    def try_acquire(self) -> bool:
        return True

    def still_held(self) -> bool:
        return True

    def release(self) -> None:
        pass


def for_this_database() -> Leadership:
    return AdvisoryLock() if connection.vendor == "postgresql" else FileLock()
