"""Browser tests: headless Chromium against the real app served by another process.

The server is a separate process on purpose. The root ``conftest`` swaps
``db.session`` for a rolled-back session during every test; a server thread in
this process would see that swap and write into the wrong database. A
subprocess has its own globals, its own SQLite file, and commits for real, as
in production. It is built with the operators' own commands (``flask db
upgrade``, ``flask users create``, ``flask run``), so those are exercised too.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Error,
    Page,
    ViewportSize,
    sync_playwright,
)

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PHONE: ViewportSize = {"width": 360, "height": 740}
# Headless Chromium says Accept-Language: en-US; the portal's first audience is in Viet Nam.
PHONE_LOCALE = "vi-VN"
PHONE_TIMEZONE = "Asia/Ho_Chi_Minh"
STARTUP_TIMEOUT = 20.0
FLASK = [sys.executable, "-m", "flask", "--app", "wsgi"]

TOURIST_EMAIL = "browser-tourist@example.com"
TOURIST_PASSWORD = "Sa-Pa-Terraces-2026"
TOURIST_NAME = "Browser Tourist"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder ``browser`` (``-m "not browser"`` skips them).

    This hook sees the whole session's items, so it only marks those under here.
    """
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def db_session() -> None:
    """Override the root rollback fixture: the browser never touches this process's database."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _flask(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    """Run one ``flask --app wsgi`` command and fail with its output if it fails."""
    _run([*FLASK, *args], env, f"flask {' '.join(args)}", stdin=stdin)


def _run(command: list[str], env: dict[str, str], what: str, stdin: str | None = None) -> None:
    """Run ``command`` in the project and fail the test with its output if it fails."""
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"{what} failed:\n{result.stdout}\n{result.stderr}")


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    """Poll until the server answers any HTTP status; fail early if it died."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 (our own http URL)
                return
        except urllib.error.HTTPError:
            return  # it answered, even if not with 2xx
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"the server did not answer {url} within {STARTUP_TIMEOUT}s:\n{log.read_text()}")


def portal_env(instance: Path, **extra: str) -> dict[str, str]:
    """The environment of a test portal process: its own instance folder and SQLite file."""
    env = {
        **os.environ,
        "PORTAL_ENV": "test",
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "browser-test-secret-0123456789abcdef-not-for-production",
        "FLASK_SKIP_DOTENV": "1",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }
    env.pop("DATABASE_URL", None)  # always the SQLite file in the instance folder
    env.pop("ELASTICSEARCH_URL", None)  # and the embedded search
    return env


# No command creates an establishment: a short script calls the services the pages call.
_CREATE_PLACE = """
import json, sys
from lodging.properties import services
from lodging.properties.models import EstablishmentKind
from portal import create_app
from core.auth.services import find_user
from core.clock import utcnow
from core.extensions import db

facts, role, email = json.loads(sys.argv[1])
with create_app().app_context():
    facts["kind"] = EstablishmentKind(facts["kind"])
    place = services.register_establishment(
        db.session,
        services.EstablishmentInput(**facts),
        now=utcnow(),
        **{role: find_user(db.session, email)},
    )
    double = services.add_room_type(db.session, place, name="Double", bed_places=2)
    services.add_rooms(db.session, place, double, ["101", "102"])
    db.session.commit()
"""


def create_establishment(
    env: dict[str, str], facts: Mapping[str, object], *, role: str, email: str
) -> None:
    """An establishment with two double rooms (101, 102) in ``env``'s database.

    ``role`` is ``owner`` (the account ``email`` owns it, waiting for approval) or
    ``approved_by`` (approved by that officer); ``facts`` are ``EstablishmentInput``'s.
    """
    command = [sys.executable, "-c", _CREATE_PLACE, json.dumps([facts, role, email])]
    _run(command, env, f"creating {facts.get('name')}")


@contextmanager
def running_portal(env: dict[str, str], instance: Path, probe: str = "/") -> Iterator[str]:
    """``flask run`` on a free loopback port with ``env``; yields its base URL, then stops it."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = instance / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*FLASK, "run", "--host", "127.0.0.1", "--port", str(port), "--no-reload"],
            cwd=ROOT,
            # Absolute links (the payment's return address…) come from PUBLIC_URL only.
            env={**env, "PUBLIC_URL": base_url},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(base_url + probe, server, log)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a real server with a migrated database and one tourist account.

    Session-scoped: starting the process, migrating and hashing a password take ~3 s;
    tests that need a clean state should create their own data.
    """
    instance = tmp_path_factory.mktemp("browser-instance")
    env = portal_env(instance)
    _flask(env, "db", "upgrade")
    _flask(
        env,
        "users",
        "create",
        TOURIST_EMAIL,
        "--role",
        "tourist",
        "--name",
        TOURIST_NAME,
        "--password-stdin",
        stdin=TOURIST_PASSWORD + "\n",
    )
    with running_portal(env, instance) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the run: Debian's, never a downloaded one."""
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh phone-sized context per test (no cookies carried over).

    The phone is set up in Vietnamese, so ``/`` picks ``/vi/`` as it would for
    most visitors; without it Chromium asks for ``en-US``.

    The app sends a strict Content-Security-Policy; a violation (an inline
    script or style slipping into a template) only shows up as a console
    error, so the test fails at teardown if one, or any uncaught script
    error, happened.
    """
    context = browser.new_context(viewport=PHONE, locale=PHONE_LOCALE, timezone_id=PHONE_TIMEZONE)
    page = context.new_page()
    console: list[ConsoleMessage] = []
    errors: list[Error] = []

    # Playwright wants Python functions as handlers: a builtin like list.append fails.
    def on_console(message: ConsoleMessage) -> None:
        console.append(message)

    def on_page_error(error: Error) -> None:
        errors.append(error)

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    try:
        yield page
    finally:
        context.close()
    csp = [m.text for m in console if m.type == "error" and "Content Security Policy" in m.text]
    problems = csp + [f"page error: {e.message}" for e in errors]
    if problems:
        pytest.fail("the browser reported:\n" + "\n".join(problems))
