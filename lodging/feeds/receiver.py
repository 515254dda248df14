"""A receiver to test the feeds against, standing in for the police and statistics.

``POST /<channel>`` takes a payload as ``HttpTransport`` sends it. In order, it:

1. refuses a bad or missing signature, or a timestamp more than 300 s off (401);
2. fails on purpose a share of requests with 500 (``fail_share``), as a sick server;
3. answers a key it has seen with the first receipt (200, counted as a duplicate);
4. checks the payload against its channel's JSON Schema (422 with per-field errors);
5. rejects on purpose the keys in ``reject_keys`` with their own field errors, and a
   share of other requests with ``reject_errors`` (422);
6. accepts: keeps the payload and answers ``{"receipt_id": …}``, except that a share
   (``hang_share``) is kept but answered only after ``hang_seconds``, past the
   client's timeout, as when an answer is lost.

``GET /openapi.json`` is the contract it implements (``lodging.feeds.openapi``);
``GET /_stats`` gives the counters and the accepted keys; ``POST /_control`` with a
JSON object changes the shares (``fail_share``, ``hang_share``, ``reject_share``,
``hang_seconds``, ``reject_errors``, ``reject_keys``). Both listen on loopback only.

Run it with ``flask feeds receiver --port 8765`` (``lodging.feeds.cli``: it checks the
portal's own FEED_SIGNING_KEY) or ``python -m lodging.feeds.receiver --port 8765
--secret …``; tests start it in-process with ``Receiver(secret=…).start()`` on a free
port.
"""

from __future__ import annotations

import argparse
import hmac
import json
import os
import random
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType
from typing import Any

from lodging.feeds.channels import validation_errors
from lodging.feeds.openapi import receiver_openapi
from lodging.feeds.transports import TIMESTAMP_TOLERANCE_S, request_signature
from lodging.registration.reports import FeedChannel

MAX_BODY_BYTES = 1024 * 1024
CONTROL_FIELDS = (
    "fail_share",
    "hang_share",
    "reject_share",
    "hang_seconds",
    "reject_errors",
    "reject_keys",
)


@dataclass
class Counters:
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    failed: int = 0
    hung: int = 0
    unauthorized: int = 0
    # A key sent again with a different body: the first one is kept.
    conflicts: int = 0


@dataclass
class Answer:
    status: int
    document: dict[str, Any]
    hang: bool = False


@dataclass
class _Accepted:
    receipt_id: str
    body: bytes


@dataclass
class Receiver:
    """The receiver's rules and state; ``start()`` serves it on 127.0.0.1."""

    secret: bytes
    fail_share: float = 0.0
    hang_share: float = 0.0
    reject_share: float = 0.0
    hang_seconds: float = 5.0
    reject_errors: dict[str, str] = field(
        default_factory=lambda: {"payload": "Rejected on purpose by the test receiver."}
    )
    # Keys refused every time, each with its own field errors, until taken off the list.
    reject_keys: dict[str, dict[str, str]] = field(default_factory=dict)
    seed: int | None = None
    clock: Callable[[], float] = time.time
    counters: Counters = field(default_factory=Counters, init=False)
    _accepted: dict[tuple[str, str], _Accepted] = field(default_factory=dict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _stopping: threading.Event = field(default_factory=threading.Event, init=False)
    _server: ThreadingHTTPServer | None = field(default=None, init=False)
    _thread: threading.Thread | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)  # noqa: S311 - chaos, not cryptography

    # Serving

    def start(self, port: int = 0) -> Receiver:
        """Serve on 127.0.0.1 (``port`` 0: any free one) in a background thread."""
        self._stopping.clear()
        server = _Server(("127.0.0.1", port), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        # A short poll so that stopping (every test's teardown) takes milliseconds.
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; requests that hang are let go at once."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> Receiver:
        return self if self._server else self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the receiver is not started")
        return int(self._server.server_address[1])

    def url(self, channel: str) -> str:
        return f"http://127.0.0.1:{self.port}/{channel}"

    def urls(self) -> dict[str, str]:
        return {channel.value: self.url(channel.value) for channel in FeedChannel}

    # What it holds

    def accepted_keys(self, channel: str) -> set[str]:
        with self._lock:
            return {key for (ch, key) in self._accepted if ch == channel}

    def payload(self, channel: str, key: str) -> dict[str, Any]:
        with self._lock:
            loaded: dict[str, Any] = json.loads(self._accepted[channel, key].body)
            return loaded

    def stats(self) -> dict[str, Any]:
        with self._lock:
            keys: dict[str, list[str]] = {}
            for channel, key in sorted(self._accepted):
                keys.setdefault(channel, []).append(key)
            return {"counters": vars(self.counters).copy(), "accepted": keys}

    def control(self, settings: dict[str, Any]) -> None:
        """Change the shares of failures while running."""
        with self._lock:
            for name in CONTROL_FIELDS:
                if name in settings:
                    setattr(self, name, settings[name])

    # Handling one delivery

    def receive(self, channel: str, headers: dict[str, str], body: bytes) -> Answer:
        """The answer to one POST; the HTTP layer only reads and writes."""
        if not self._authentic(headers, body):
            return self._count("unauthorized", Answer(401, {"title": "Bad signature."}))
        key = headers.get("idempotency-key", "")
        if channel not in set(FeedChannel) or not key:
            return Answer(404 if key else 400, {"title": "Unknown channel or no key."})
        with self._lock:
            draw = self._random.random()
            if draw < self.fail_share:
                self.counters.failed += 1
                return Answer(500, {"title": "Failing on purpose."})
            seen = self._accepted.get((channel, key))
            if seen is not None:
                self.counters.duplicates += 1
                self.counters.conflicts += seen.body != body
                return Answer(200, {"receipt_id": seen.receipt_id, "duplicate": True})
        return self._check_and_keep(channel, key, body, draw)

    def _check_and_keep(self, channel: str, key: str, body: bytes, draw: float) -> Answer:
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        errors = (
            validation_errors(channel, payload) if payload is not None else {"body": "Not JSON."}
        )
        with self._lock:
            if not errors and key in self.reject_keys:
                errors = dict(self.reject_keys[key])
            elif not errors and draw >= 1 - self.reject_share:
                errors = dict(self.reject_errors)
            if errors:
                self.counters.rejected += 1
                return Answer(422, {"title": "The payload is not valid.", "errors": errors})
            seen = self._accepted.get((channel, key))
            if seen is None:
                seen = _Accepted(f"{channel}-{len(self._accepted) + 1:06d}", body)
                self._accepted[channel, key] = seen
                self.counters.accepted += 1
            else:  # the same key arrived twice at once: the first one won
                self.counters.duplicates += 1
            hang = self.fail_share <= draw < self.fail_share + self.hang_share
            self.counters.hung += hang
            return Answer(200, {"receipt_id": seen.receipt_id}, hang=hang)

    def _authentic(self, headers: dict[str, str], body: bytes) -> bool:
        timestamp = headers.get("x-timestamp", "")
        if not timestamp.isdigit() or abs(self.clock() - int(timestamp)) > TIMESTAMP_TOLERANCE_S:
            return False
        expected = request_signature(self.secret, timestamp, body)
        return hmac.compare_digest(expected, headers.get("x-signature", ""))

    def _count(self, counter: str, answer: Answer) -> Answer:
        with self._lock:
            setattr(self.counters, counter, getattr(self.counters, counter) + 1)
        return answer

    def wait_hang(self) -> None:
        """Hold an answer past the client's timeout (cut short when stopping)."""
        self._stopping.wait(self.hang_seconds)


class _RequestHandler(BaseHTTPRequestHandler):
    """The HTTP side: reads a request, asks the ``Receiver``, writes its answer."""

    protocol_version = "HTTP/1.1"
    receiver: Receiver  # set per server by ``_handler_for``

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self._answer(Answer(413, {"title": "Too large."}))
            return
        body = self.rfile.read(length)
        if self.path == "/_control":
            self._control(body)
            return
        headers = {name.lower(): value for name, value in self.headers.items()}
        answer = self.receiver.receive(self.path.strip("/"), headers, body)
        if answer.hang:
            self.receiver.wait_hang()
        self._answer(answer)

    def do_GET(self) -> None:
        if self.path == "/_stats":
            self._answer(Answer(200, self.receiver.stats()))
        elif self.path == "/openapi.json":
            self._answer(Answer(200, receiver_openapi()))
        else:
            self._answer(Answer(404, {"title": "Not found."}))

    def _control(self, body: bytes) -> None:
        try:
            settings = json.loads(body or b"{}")
        except ValueError:
            settings = None
        if not isinstance(settings, dict):
            self._answer(Answer(400, {"title": "Send a JSON object."}))
            return
        self.receiver.control(settings)
        self._answer(Answer(200, self.receiver.stats()))

    def _answer(self, answer: Answer) -> None:
        data = json.dumps(answer.document).encode()
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up waiting: that was the point of hanging
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        """Quiet: tests and the chaos run would drown in access lines."""


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet about a client that went away (killed, or tired of waiting); loud otherwise."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_for(receiver: Receiver) -> type[_RequestHandler]:
    return type("RequestHandler", (_RequestHandler,), {"receiver": receiver})


def serve(receiver: Receiver, port: int, announce: Callable[[str], None]) -> Counters:
    """Serve on ``port`` until SIGINT or SIGTERM; return the counters at the end."""
    stopping = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    receiver.start(port)
    try:
        announce(f"Receiving on http://127.0.0.1:{receiver.port}/<channel>")
        stopping.wait()
    finally:
        receiver.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return receiver.counters


def main(argv: list[str] | None = None) -> None:
    """Serve until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--secret", default=os.environ.get("FEED_SIGNING_KEY", ""))
    parser.add_argument("--fail-share", type=float, default=0.0)
    parser.add_argument("--hang-share", type=float, default=0.0)
    parser.add_argument("--reject-share", type=float, default=0.0)
    parser.add_argument("--hang-seconds", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    if not args.secret:
        parser.error("give --secret or set FEED_SIGNING_KEY")
    receiver = Receiver(
        secret=args.secret.encode(),
        fail_share=args.fail_share,
        hang_share=args.hang_share,
        reject_share=args.reject_share,
        hang_seconds=args.hang_seconds,
        seed=args.seed,
    )
    # A command-line program: it tells where it listens, and what it got.
    counters = serve(receiver, args.port, lambda line: print(line, flush=True))  # noqa: T201
    print(vars(counters), flush=True)  # noqa: T201


if __name__ == "__main__":
    main()
