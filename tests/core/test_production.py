"""The portal started as the README's Production section says: gunicorn, production settings,
sign-in throttling counted in the Redis server on 127.0.0.1:6379 (``.ci/run`` starts it)."""

from __future__ import annotations

import http.client
import os
import re
import secrets
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
import redis

from tests.core.test_settings import production
from tests.smtp_server import free_port

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379"
STARTUP_WAIT = 60.0  # seconds: two interpreters importing the portal on a busy machine


@pytest.fixture(autouse=True)
def db_session():
    """Override the root rollback fixture: its open transaction would lock SQLite."""


@pytest.fixture
def shared_redis() -> Iterator[tuple[redis.Redis, str]]:
    """The machine's Redis and a key prefix of this test's own, emptied afterwards."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail(f"no Redis at {REDIS_URL}: .ci/run starts one (see the README)")
    prefix = f"portal-test-{uuid.uuid4().hex}"
    yield client, prefix
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()


class Instance:
    """One production portal process (gunicorn, as the README runs it) on a loopback port."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        command = [sys.executable, "-m", "gunicorn", "--workers", "1"]
        command += ["--bind", f"127.0.0.1:{self.port}", "wsgi:app"]
        self.log = log
        with log.open("w") as output:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
            )

    def request(
        self, method: str, path: str, body: str = "", headers: dict[str, str] | None = None
    ) -> tuple[int, list[tuple[str, str]], str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read().decode()
        finally:
            connection.close()

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + STARTUP_WAIT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                self.request("GET", "/api/v1/health")
                return
            except OSError:
                time.sleep(0.1)
        pytest.fail(f"the production portal did not start:\n{self.log.read_text()}")

    def failed_sign_in(self, email: str, address: str) -> int:
        """A browser's wrong password from ``address`` (behind the one proxy): the status."""
        proxied = {
            "X-Forwarded-For": address,
            "X-Forwarded-Proto": "https",
            "Host": "dulich.example.vn",
        }
        status, headers, page = self.request("GET", "/en/login", headers=proxied)
        assert status == 200, page
        cookies = SimpleCookie()
        for name, value in headers:
            if name.lower() == "set-cookie":
                cookies.load(value)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert match, page
        form = f"email={email}&password=not-the-password&csrf_token={match.group(1)}"
        status, _, _ = self.request(
            "POST",
            "/en/login",
            body=form,
            headers={
                **proxied,
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": "; ".join(f"{k}={m.value}" for k, m in cookies.items()),
                "Referer": "https://dulich.example.vn/en/login",
            },
        )
        return status

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@contextmanager
def production_portals(count: int, env: dict[str, str], tmp_path: Path) -> Iterator[list[Instance]]:
    instances = [Instance(env, tmp_path / f"portal-{n}.log") for n in range(count)]
    try:
        for instance in instances:
            instance.wait_until_serving()
        yield instances
    finally:
        for instance in instances:
            instance.stop()


def readme_production_env(settings, tmp_path: Path, prefix: str) -> dict[str, str]:
    """The README's production variables, with this test's database and key prefix."""
    return {**os.environ} | production(
        DATABASE_URL=settings.database_url,
        INSTANCE_PATH=str(tmp_path / "instance"),
        RATELIMIT_STORAGE_URI=REDIS_URL,
        RATELIMIT_KEY_PREFIX=prefix,
        PROXY_HOPS="1",
    )


def test_production_counts_failed_sign_ins_in_redis_across_two_instances(
    app, settings, shared_redis, tmp_path
):
    client, prefix = shared_redis
    email = f"guess-{uuid.uuid4().hex[:12]}@example.com"
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.7"
    env = readme_production_env(settings, tmp_path, prefix)
    with production_portals(2, env, tmp_path) as (first, second):
        # The account's limit is 5 failures in 10 minutes, wherever they land.
        assert [first.failed_sign_in(email, address) for _ in range(3)] == [200] * 3
        assert [second.failed_sign_in(email, address) for _ in range(2)] == [200] * 2
        assert first.failed_sign_in(email, address) == 429
        assert second.failed_sign_in(email, address) == 429
    keys = [key.decode() for key in client.scan_iter(match=f"{prefix}:*")]
    assert keys, "nothing was counted in Redis"
    assert not [key for key in keys if email in key], "Redis holds the typed e-mail"
