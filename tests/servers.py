"""Real kiemtra servers for the multi-process tests: ``kiemtra serve`` processes on the test database,
and browsers (``requests`` sessions) that sign in through the form with CSRF on, as people do."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SECRET = "multi-process-test-secret"


@dataclass
class Answer:
    status_code: int
    text: str
    headers: dict[str, str]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Browser:
    """A cookie-keeping HTTP client that does not follow redirects (the standard library's, so the tests
    need nothing more than kiemtra does)."""

    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def request(
        self,
        url: str,
        data: dict[str, Any] | None = None,
        timeout: float = 60,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
        try:
            request = urllib.request.Request(url, data=body, headers=headers or {})  # noqa: S310 - the tests' own loopback http URLs
            with self._opener.open(request, timeout=timeout) as response:
                return Answer(response.status, response.read().decode(), dict(response.headers))
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read().decode(errors="replace"), dict(error.headers))

    def get(self, url: str, timeout: float = 60) -> Answer:
        return self.request(url, timeout=timeout)

    def post(self, url: str, data: dict[str, Any], timeout: float = 120) -> Answer:
        return self.request(url, data, timeout=timeout)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """One ``kiemtra serve`` process."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def server_environment(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIEMTRA_")}
    env.update(
        KIEMTRA_DATABASE_URL=database_url,
        KIEMTRA_INSTANCE_PATH=str(instance),
        KIEMTRA_SECRET_KEY=SECRET,
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(extra)
    return env


def start_server(database_url: str, instance: Path, threads: int = 4, **extra: str) -> Server:
    """Start ``kiemtra serve`` without a scheduler and wait until it answers."""
    port = free_port()
    log = instance / f"server-{port}.log"
    instance.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--threads", str(threads)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*command, "--no-scheduler"],
            cwd=ROOT,
            env=server_environment(database_url, instance, **extra),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + 240  # a loaded CI machine takes its time to import everything
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()}")
        try:
            Browser().get(server.url + "/login", timeout=2)
            return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"server did not start: {log.read_text()}")


@contextmanager
def servers(database_url: str, instance: Path, count: int = 2, **extra: str) -> Iterator[list[Server]]:
    started: list[Server] = []
    try:
        for _ in range(count):
            started.append(start_server(database_url, instance, **extra))
        yield started
    finally:
        for server in started:
            server.stop()


def hidden(page: str, name: str) -> str:
    """The value of a hidden field on ``page``."""
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', page
    )
    assert match, f"no field {name}"
    return match.group(1)


def sign_in(base_url: str, username: str, password: str) -> Browser:
    """A browser signed in through the form."""
    browser = Browser()
    page = browser.get(base_url + "/login").text
    answer = browser.post(
        base_url + "/login",
        {"username": username, "password": password, "csrf_token": hidden(page, "csrf_token")},
    )
    assert answer.status_code == 302, answer.text[:500]
    return browser


def post_form(browser: Browser, url: str, data: dict[str, Any]) -> Answer:
    return browser.post(url, data)
