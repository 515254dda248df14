"""A throw-away portal: a SQLite file migrated and seeded, served by gunicorn.

The benchmark and the crash test (``tests/lodging/registration/test_durability.py``)
both use it, so they measure and break the same set-up. The server runs in its own
process group: ``Server.kill`` SIGKILLs the master and its workers at once, as a
power cut or the OOM killer would.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from core.auth import services as accounts
from core.auth.roles import Role
from core.clock import utcnow
from core.database import configure_sqlite
from lodging.properties import services as properties
from lodging.properties.models import EstablishmentKind
from lodging.properties.services import EstablishmentInput

ROOT = Path(__file__).resolve().parent.parent
OWNER_EMAIL = "bench-owner@example.com"
PASSWORD = "Bench-Bai-Chay-2026"  # noqa: S105 - a throw-away account on a temporary database
ROOMS = tuple(f"{floor}{number:02d}" for floor in range(1, 6) for number in range(1, 11))
STARTUP_TIMEOUT = 30.0


@dataclass(frozen=True)
class Target:
    """Where declarations go: the establishment, a token of its owner, its rooms."""

    establishment_id: int
    token: str
    rooms: tuple[str, ...]

    @property
    def stays_path(self) -> str:
        return f"/api/v1/establishments/{self.establishment_id}/stays"


@dataclass(frozen=True)
class Instance:
    """An instance folder holding its own SQLite database (or using ``database_url``)."""

    path: Path
    database_url: str = ""  # a PostgreSQL database whose public schema is emptied first

    @property
    def database(self) -> Path:
        return self.path / "portal.sqlite3"

    @property
    def url(self) -> str:
        # A plain postgresql:// URL would ask for psycopg2; the portal ships psycopg 3.
        pg = re.sub(r"^postgres(?:ql)?://", "postgresql+psycopg://", self.database_url)
        return pg or f"sqlite:///{self.database}"

    def environ(self) -> dict[str, str]:
        """The environment a portal process needs to run on this instance.

        ``development``, not ``test``: Flask's TESTING mode changes how errors
        propagate, and production refuses an in-memory rate-limit store.
        """
        return {
            **os.environ,
            "PORTAL_ENV": "development",
            "INSTANCE_PATH": str(self.path),
            "DATABASE_URL": self.url,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "DATA_ENCRYPTION_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            "FLASK_SKIP_DOTENV": "1",
            "PYTHONUNBUFFERED": "1",
        }


def prepare(instance: Instance) -> Target:
    """Migrate the instance's database with ``flask db upgrade`` and seed it."""
    instance.path.mkdir(parents=True, exist_ok=True)
    if instance.database_url:
        engine = create_engine(instance.url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=instance.environ(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"flask db upgrade failed:\n{result.stdout}\n{result.stderr}")
    return seed(instance)


def seed(instance: Instance) -> Target:
    """An approved hotel in Bãi Cháy with 50 rooms, its owner and the owner's API token."""
    engine = create_engine(instance.url)
    if not instance.database_url:
        configure_sqlite(engine)
    now = utcnow()
    try:
        with Session(engine) as session:
            owner = accounts.create_user(
                session, email=OWNER_EMAIL, password=PASSWORD, role=Role.LODGING_OWNER, now=now
            )
            admin = accounts.create_user(
                session,
                email="bench-admin@example.com",
                password=PASSWORD,
                role=Role.ADMIN,
                now=now,
            )
            hotel = properties.register_establishment(
                session,
                EstablishmentInput(
                    name="Khách sạn Đo Tải",
                    kind=EstablishmentKind.HOTEL,
                    street_address="1 Đường Hạ Long",
                    province="Quảng Ninh",
                    commune="Bãi Cháy",
                    stars=3,
                ),
                now=now,
                owner=owner,
                approved_by=admin,
            )
            double = properties.add_room_type(session, hotel, name="Double", bed_places=2)
            properties.add_rooms(session, hotel, double, list(ROOMS))
            token = accounts.create_api_token(session, owner, "benchmark", now)
            session.commit()
            return Target(establishment_id=hotel.id, token=token, rooms=ROOMS)
    finally:
        engine.dispose()


@dataclass
class Server:
    """A gunicorn master in its own process group, and where its log goes."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    def kill(self) -> None:
        """SIGKILL the master and every worker at once: no shutdown code runs."""
        self._signal_group(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        """Shut down gracefully; kill whatever has not gone after ten seconds."""
        self._signal_group(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        self._signal_group(signal.SIGKILL)  # workers that outlived their master
        self.process.wait()

    def _signal_group(self, signum: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(self.process.pid, signum)

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gunicorn(
    app: str, environ: Mapping[str, str], log: Path, *, workers: int = 2, probe: str = "/"
) -> Server:
    """``gunicorn -w WORKERS APP`` on a free local port, once it answers ``probe``."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, app],
            cwd=ROOT,
            env=dict(environ),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, out of reach of our Ctrl-C
        )
    server = Server(process=process, port=port, log=log)
    try:
        _wait_until_up(server, probe)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_until_up(server: Server, probe: str) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"gunicorn exited with {server.process.returncode}:\n{server.log_tail()}"
            )
        connection = http.client.HTTPConnection(*server.address, timeout=5)
        try:
            connection.request("GET", probe)
            connection.getresponse().read()
        except OSError:
            time.sleep(0.1)
        else:
            return
        finally:
            connection.close()
    raise RuntimeError(f"gunicorn did not answer within {STARTUP_TIMEOUT}s:\n{server.log_tail()}")
