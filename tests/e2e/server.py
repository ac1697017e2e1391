"""A real ``symfonie serve`` process for the end-to-end tests.

The child always gets its own SQLite database in its data directory: ``DATABASE_URL`` (which
``make test-postgres`` sets for the test process) and every ``SYMFONIE_*`` variable of the parent
are stripped, so an end-to-end test behaves the same in the SQLite and the PostgreSQL run. A
caller that wants another database passes ``database_url`` (or ``DATABASE_URL`` in ``env``).
Output goes to a log file in the data directory, never to a pipe that nobody reads (a full pipe
blocks the server mid-request).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path

SYMFONIE = Path(sys.executable).parent / "symfonie"
START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 10.0
CLI_TIMEOUT_SECONDS = 120.0
# The readiness probe talks to 127.0.0.1 directly, whatever *_proxy variables say.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
# Inherited variables that would change which database, channel layer or settings the child uses.
_STRIPPED = ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")


def child_env(
    data_dir: Path,
    *,
    database_url: str | None = None,
    embedded_worker: bool | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of a ``symfonie`` child process working on ``data_dir``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SYMFONIE_") and key not in _STRIPPED
    }
    env["SYMFONIE_DATA_DIR"] = str(data_dir)
    env["DJANGO_SETTINGS_MODULE"] = "symfonie.settings"
    env["PYTHONUNBUFFERED"] = "1"  # the log file shows what happened up to a crash
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    if embedded_worker is not None:
        env["SYMFONIE_EMBEDDED_WORKER"] = "1" if embedded_worker else "0"
    env.update(extra or {})
    return env


def run_cli(
    data_dir: Path, *args: str, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``symfonie <args>`` against ``data_dir``; raise with its output when it fails."""
    result = subprocess.run(
        [str(SYMFONIE), *args],
        env=child_env(data_dir, extra=env),
        cwd=data_dir,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_SECONDS,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"`symfonie {' '.join(args)}` exited {result.returncode}\n"
            f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
        )
    return result


def free_port() -> int:
    # Another process may take the port between this close and the server's bind; start()
    # retries on a new port when the server dies with "address already in use".
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServerProcess:
    """``symfonie serve`` on 127.0.0.1 and a free port, as a child process.

    Usable as a context manager (``stop()`` on exit).
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        database_url: str | None = None,
        embedded_worker: bool | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.env = child_env(
            self.data_dir, database_url=database_url, embedded_worker=embedded_worker, extra=env
        )
        self.port: int | None = None
        self.log_path: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>`` without a trailing slash."""
        if self.port is None:
            raise RuntimeError("the server has not been started")
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_seconds: float = START_TIMEOUT_SECONDS) -> ServerProcess:
        """Start the server and wait until ``GET /login/`` answers 200."""
        if self.process is not None and self.process.poll() is None:
            raise RuntimeError(f"the server already runs at {self.url}")
        for attempt in range(3):
            self._spawn()
            try:
                self._wait_until_ready(timeout_seconds)
                return self
            except _PortTaken:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _spawn(self) -> None:
        self.port = free_port()
        self.log_path = self.data_dir / f"server-{self.port}.log"
        with open(self.log_path, "ab") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [str(SYMFONIE), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                env=self.env,
                cwd=self.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: signals reach it and only it
            )

    def _wait_until_ready(self, timeout_seconds: float) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout_seconds
        last_error = "no answer yet"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log_tail()
                if "address already in use" in tail.lower():
                    raise _PortTaken(tail)
                raise RuntimeError(
                    f"symfonie serve exited with {self.process.returncode} before it answered;"
                    f" its output ({self.log_path}):\n{tail}"
                )
            try:
                with _DIRECT.open(f"{self.url}/login/", timeout=5) as response:
                    if response.status == 200:
                        return
                    last_error = f"HTTP {response.status}"
            except urllib.error.HTTPError as exc:
                last_error = f"HTTP {exc.code}"
            except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
                last_error = str(exc)
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(
            f"symfonie serve did not answer GET /login/ with 200 within {timeout_seconds:.0f} s"
            f" (last: {last_error}); its output ({self.log_path}):\n{self.log_tail()}"
        )

    def log_tail(self, lines: int = 40) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def _signal(self, signum: int) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(self.process.pid, signum)

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a power cut or the OOM killer."""
        if self.process is None or self.process.poll() is not None:
            return
        self._signal(signal.SIGKILL)
        self.process.wait()

    def stop(self, timeout_seconds: float = STOP_TIMEOUT_SECONDS) -> None:
        """SIGTERM and wait; SIGKILL when it has not exited within ``timeout_seconds``."""
        if self.process is None or self.process.poll() is not None:
            return
        self._signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout_seconds)
        except subprocess.TimeoutExpired:
            self.kill()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class _PortTaken(RuntimeError):
    """The free port was taken before the server bound it."""
