"""The HTTPS transport against the real test receiver, on loopback."""

from __future__ import annotations

import datetime as dt
import json
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.clock import utcnow
from lodging.feeds.receiver import Receiver
from lodging.feeds.transports import HttpTransport, outcome_of

SECRET = b"shared-feed-secret"
GOLDEN = Path(__file__).parent / "golden"


def citizen_payload() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((GOLDEN / "vn-luutru-declare.json").read_text())
    return loaded


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver(secret=SECRET, hang_seconds=5, seed=1) as running:
        yield running


def transport_to(receiver: Receiver, **options: Any) -> HttpTransport:
    options.setdefault("read_timeout", 2.0)
    return HttpTransport(receiver.urls(), options.pop("secret", SECRET), **options)


def test_an_accepted_report_comes_back_with_its_receipt(receiver: Receiver) -> None:
    outcome = transport_to(receiver).send("vn-luutru", "lodging-stay-event-1", citizen_payload())
    assert outcome.kind == "delivered"
    assert outcome.receipt_id
    assert receiver.payload("vn-luutru", "lodging-stay-event-1") == citizen_payload()
    assert receiver.counters.accepted == 1


def test_the_same_key_again_gets_the_same_receipt_and_counts_as_a_duplicate(
    receiver: Receiver,
) -> None:
    transport = transport_to(receiver)
    first = transport.send("vn-luutru", "k-1", citizen_payload())
    again = transport.send("vn-luutru", "k-1", citizen_payload())
    assert again.kind == "delivered"
    assert again.receipt_id == first.receipt_id
    assert (receiver.counters.accepted, receiver.counters.duplicates) == (1, 1)
    assert receiver.counters.conflicts == 0


def test_a_server_error_is_retried_later(receiver: Receiver) -> None:
    receiver.control({"fail_share": 1.0})
    outcome = transport_to(receiver).send("vn-luutru", "k-2", citizen_payload())
    assert (outcome.kind, outcome.detail) == ("retry", "HTTP 500: Failing on purpose.")
    assert receiver.accepted_keys("vn-luutru") == set()
    assert receiver.counters.failed == 1


def test_an_answer_that_never_comes_leaves_the_report_unverified(receiver: Receiver) -> None:
    receiver.control({"hang_share": 1.0})
    transport = transport_to(receiver, read_timeout=0.3)
    outcome = transport.send("vn-luutru", "k-3", citizen_payload())
    assert outcome.kind == "unverified"
    assert "no answer within 0.3 s" in outcome.detail
    # The receiver did take it: resending with the same key shows it, and only once.
    receiver.control({"hang_share": 0.0})
    resent = transport.send("vn-luutru", "k-3", citizen_payload())
    assert resent.kind == "delivered"
    assert (receiver.counters.accepted, receiver.counters.duplicates) == (1, 1)


def test_an_invalid_payload_is_rejected_with_its_field_errors(receiver: Receiver) -> None:
    payload = citizen_payload()
    payload["guests"][0]["id_number"] = "12345"
    del payload["reason"]
    outcome = transport_to(receiver).send("vn-luutru", "k-4", payload)
    assert outcome.kind == "rejected"
    assert set(outcome.errors) == {"guests[0].id_number", "reason"}
    assert outcome.detail == "HTTP 422"
    assert receiver.counters.rejected == 1
    assert receiver.accepted_keys("vn-luutru") == set()


def test_the_receiver_can_be_told_to_reject_with_chosen_field_errors(receiver: Receiver) -> None:
    receiver.control(
        {"reject_share": 1.0, "reject_errors": {"guests[0].full_name": "Unknown person."}}
    )
    outcome = transport_to(receiver).send("vn-luutru", "k-5", citizen_payload())
    assert outcome.kind == "rejected"
    assert outcome.errors == {"guests[0].full_name": "Unknown person."}


def test_a_wrong_signature_is_refused_and_nothing_is_kept(receiver: Receiver) -> None:
    outcome = transport_to(receiver, secret=b"not-the-secret").send(
        "vn-luutru", "k-6", citizen_payload()
    )
    assert (outcome.kind, outcome.detail) == ("retry", "HTTP 401: Bad signature.")
    assert receiver.counters.unauthorized == 1
    assert receiver.accepted_keys("vn-luutru") == set()


def test_a_stale_timestamp_is_refused_even_when_signed(receiver: Receiver) -> None:
    six_minutes_ago = utcnow() - dt.timedelta(minutes=6)
    transport = transport_to(receiver, clock=lambda: six_minutes_ago)
    assert transport.send("vn-luutru", "k-7", citizen_payload()).detail.startswith("HTTP 401")
    four_minutes_ago = utcnow() - dt.timedelta(minutes=4)
    transport = transport_to(receiver, clock=lambda: four_minutes_ago)
    assert transport.send("vn-luutru", "k-7", citizen_payload()).kind == "delivered"


def test_a_body_changed_on_the_way_does_not_pass_the_signature(receiver: Receiver) -> None:
    class Tampering(HttpTransport):
        def _exchange(self, connection: Any, path: str, body: bytes, headers: Any) -> Any:
            return super()._exchange(
                connection, path, body.replace(b"QN-00042", b"QN-00043"), headers
            )

    tampering = Tampering(receiver.urls(), SECRET)
    assert tampering.send("vn-luutru", "k-8", citizen_payload()).detail.startswith("HTTP 401")


def test_a_receiver_that_is_down_is_retried() -> None:
    transport = HttpTransport({"vn-luutru": f"http://127.0.0.1:{free_port()}/x"}, SECRET)
    outcome = transport.send("vn-luutru", "k-9", citizen_payload())
    assert outcome.kind == "retry"
    assert outcome.detail.startswith("could not connect")


@pytest.mark.parametrize(
    ("status", "answer", "kind"),
    [
        (201, b'{"receipt_id": "R-1"}', "delivered"),
        (200, b"{}", "unverified"),  # accepted, but no proof of it
        (400, b'{"errors": {"room": ["too long", "odd"]}}', "rejected"),
        (422, b"not json", "rejected"),
        (408, b"", "retry"),
        (429, b"", "retry"),
        (503, b"<html>", "retry"),
        (403, b'{"title": "Forbidden"}', "retry"),
    ],
)
def test_each_answer_has_one_meaning(status: int, answer: bytes, kind: str) -> None:
    assert outcome_of(status, answer).kind == kind


def test_field_errors_keep_every_message() -> None:
    outcome = outcome_of(400, b'{"errors": {"room": ["too long", "odd"]}}')
    assert outcome.errors == {"room": "too long; odd"}
    assert outcome_of(429, b"", retry_after="30").detail == "HTTP 429, Retry-After: 30"


def test_stats_and_control_are_served_over_http(receiver: Receiver) -> None:
    transport_to(receiver).send("vn-luutru", "k-10", citizen_payload())
    control = urllib.request.Request(
        f"http://127.0.0.1:{receiver.port}/_control",
        data=json.dumps({"fail_share": 0.5}).encode(),
        method="POST",
    )
    with urllib.request.urlopen(control, timeout=2) as answer:  # noqa: S310 - loopback
        assert answer.status == 200
    assert receiver.fail_share == 0.5
    with urllib.request.urlopen(f"http://127.0.0.1:{receiver.port}/_stats", timeout=2) as answer:
        stats = json.load(answer)
    assert stats["accepted"] == {"vn-luutru": ["k-10"]}
    assert stats["counters"]["accepted"] == 1


def test_the_receiver_runs_as_a_program() -> None:
    port = free_port()
    command = [sys.executable, "-m", "lodging.feeds.receiver", "--port", str(port)]
    command += ["--secret", SECRET.decode()]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as program:
        try:
            assert program.stdout is not None
            assert f"127.0.0.1:{port}" in program.stdout.readline()
            transport = HttpTransport({"stats": f"http://127.0.0.1:{port}/stats"}, SECRET)
            outcome = transport.send("stats", "k-11", {"channel": "stats", "schema_version": 1})
            assert outcome.kind == "rejected"  # it checks the schema: most fields are missing
            assert "day" in outcome.errors
        finally:
            program.terminate()
            program.wait(timeout=5)
