"""A real ``symfonie serve`` process for the end-to-end tests.

The child always gets its own SQLite database in its data directory: ``DATABASE_URL`` (which
``make test-postgres`` sets for the test process) and every ``SYMFONIE_*`` variable of the parent
are stripped, so an end-to-end test behaves the same in the SQLite and the PostgreSQL run. A
caller that wants another database passes ``database_url`` (or ``DATABASE_URL`` in ``env``).
Output goes to a log file in the data directory, never to a pipe that nobody reads (a full pipe
blocks the server mid-request).

``Client`` talks JSON to a server over HTTP as an integration does (API token) or as a browser
does (signed in through the real form: session cookie, CSRF header); ``manage_shell`` runs a
Python snippet with Django set up against a data directory (fixture rows the API cannot make).
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

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


def manage_shell(data_dir: Path, code: str, *, env: Mapping[str, str] | None = None) -> Any:
    """Run ``code`` in ``symfonie manage shell`` against ``data_dir``; it must print one JSON
    document as its last line of output, which is returned."""
    output = run_cli(data_dir, "manage", "shell", "--no-imports", "-c", code, env=env).stdout
    lines = output.strip().splitlines()
    if not lines:
        raise RuntimeError(f"the snippet printed nothing:\n{code}")
    return json.loads(lines[-1])


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

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError("the server has not been started")
        return self.process.pid

    def log_text(self) -> str:
        """Everything the server printed so far (this start's log file)."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def wait_for_log(self, needle: str, *, timeout_seconds: float = START_TIMEOUT_SECONDS) -> None:
        """Wait until the server's output contains ``needle`` (e.g. ``"router: leading"``);
        raise with the log's tail when it exits or ``timeout_seconds`` pass first."""
        deadline = time.monotonic() + timeout_seconds
        while needle not in self.log_text():
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(
                    f"the server exited before printing {needle!r}; its output:\n{self.log_tail()}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the server did not print {needle!r} within {timeout_seconds:.0f} s;"
                    f" its output ({self.log_path}):\n{self.log_tail()}"
                )
            time.sleep(0.05)

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


class Client:
    """JSON over HTTP to one server: with ``token`` as an API integration, or after ``sign_in``
    as a browser (session cookie, ``X-CSRFToken`` from the ``csrftoken`` cookie)."""

    def __init__(self, base_url: str, *, token: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(self.cookies)
        )

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.cookies if c.name == name), None)

    def cookie_header(self) -> str:
        """The ``Cookie`` header a browser would send (for a WebSocket handshake)."""
        return "; ".join(f"{c.name}={c.value}" for c in self.cookies)

    def sign_in(self, email: str, password: str) -> Client:
        """Sign in through the real form (CSRF cookie first); raise when it is refused."""
        self._opener.open(f"{self.base_url}/login/", timeout=30).close()
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": self.cookie("csrftoken") or "",
                "username": email,
                "password": password,
            }
        ).encode()
        with self._opener.open(f"{self.base_url}/login/", data=form, timeout=30) as response:
            landed = response.url
        if self.cookie("sessionid") is None or landed.endswith("/login/"):
            raise RuntimeError(f"signing in as {email} failed (ended at {landed})")
        return self

    def request(self, method: str, path: str, body: object = None) -> tuple[int, Any]:
        """Send ``body`` as JSON; return the status and the decoded answer (errors included)."""
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        csrf = self.cookie("csrftoken")
        if csrf is not None:
            headers["X-CSRFToken"] = csrf
        request = urllib.request.Request(
            f"{self.base_url}{path}", data=data, headers=headers, method=method
        )
        try:
            with self._opener.open(request, timeout=60) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw.decode(errors="replace")

    def call(self, method: str, path: str, body: object = None, *, expect: int = 200) -> Any:
        """``request`` that raises (with the problem details) unless the status is ``expect``."""
        status, answer = self.request(method, path, body)
        if status != expect:
            raise AssertionError(f"{method} {path} answered {status}, not {expect}: {answer}")
        return answer

    def get(self, path: str) -> Any:
        return self.call("GET", path)

    def post(self, path: str, body: object = None, *, expect: int = 200) -> Any:
        return self.call("POST", path, {} if body is None else body, expect=expect)
