"""The file drop: one signed file per key, written whole or not at all."""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path

import pytest

from core.clock import VIETNAM
from lodging.feeds.transports import (
    FileDropTransport,
    build_transport,
    encode,
    is_archive_receipt,
    signature,
)

SECRET = b"drop-signing-key"
NOON = dt.datetime(2025, 8, 1, 12, 0, tzinfo=VIETNAM)
PAYLOAD = {"channel": "vn-luutru", "guests": [{"full_name": "Nguyễn Thị Ánh"}]}


def dropping(directory: Path, when: dt.datetime = NOON) -> FileDropTransport:
    return FileDropTransport(directory, SECRET, clock=lambda: when)


def files_under(directory: Path) -> list[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())


def test_a_payload_lands_as_a_signed_file_in_its_channel_and_day(tmp_path: Path) -> None:
    transport = dropping(tmp_path)
    outcome = transport.send("vn-luutru", "lodging-stay-event-1", PAYLOAD)
    assert outcome.kind == "delivered"
    # The receipt says it is only the archive copy: nobody was notified.
    assert outcome.receipt_id == "file-drop:vn-luutru/2025-08-01/lodging-stay-event-1.json"
    assert is_archive_receipt(outcome.receipt_id)
    path = transport.path_of(outcome.receipt_id)
    written = path.read_bytes()
    assert written == encode(PAYLOAD)
    assert "Nguyễn Thị Ánh" in written.decode()
    sidecar = path.with_name(path.name + ".sig")
    assert sidecar.read_text() == signature(SECRET, written) + "\n"
    relative = str(path.relative_to(tmp_path))
    assert files_under(tmp_path) == [relative, relative + ".sig"]


def test_the_day_is_vietnams_not_the_servers(tmp_path: Path) -> None:
    late_evening_utc = dt.datetime(2025, 8, 1, 20, 0, tzinfo=dt.UTC)  # 03:00 on the 2nd here
    outcome = dropping(tmp_path, late_evening_utc).send("stats", "k-1", PAYLOAD)
    assert outcome.receipt_id == "file-drop:stats/2025-08-02/k-1.json"


def test_sending_a_key_again_keeps_the_first_file_even_on_another_day(tmp_path: Path) -> None:
    first = dropping(tmp_path).send("vn-tamtru", "k-7", PAYLOAD)
    later = dropping(tmp_path, NOON + dt.timedelta(days=1))
    again = later.send("vn-tamtru", "k-7", {**PAYLOAD, "changed": True})
    assert again.kind == "delivered"
    assert again.receipt_id == first.receipt_id
    assert later.path_of(first.receipt_id).read_bytes() == encode(PAYLOAD)
    assert len(files_under(tmp_path)) == 2


def test_concurrent_senders_of_one_key_leave_one_file_and_its_signature(tmp_path: Path) -> None:
    transport = dropping(tmp_path)
    receipts: list[str] = []
    barrier = threading.Barrier(8)

    def send(n: int) -> None:
        barrier.wait()
        receipts.append(transport.send("vn-luutru", "k-race", {"n": n}).receipt_id)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(receipts)) == 1
    path = transport.path_of(receipts[0])
    written = path.read_bytes()
    assert path.with_name(path.name + ".sig").read_text() == signature(SECRET, written) + "\n"
    assert len(files_under(tmp_path)) == 2


def test_a_crash_before_the_file_is_in_place_leaves_nothing_half_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def power_cut(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "link", power_cut)
    outcome = dropping(tmp_path).send("vn-luutru", "k-2", PAYLOAD)
    assert outcome.kind == "retry"
    assert "No space left" in outcome.detail
    assert files_under(tmp_path) == []
    monkeypatch.undo()
    assert dropping(tmp_path).send("vn-luutru", "k-2", PAYLOAD).kind == "delivered"


def test_a_file_left_unsigned_by_a_crash_is_signed_on_the_next_send(tmp_path: Path) -> None:
    transport = dropping(tmp_path)
    receipt = transport.send("vn-luutru", "k-3", PAYLOAD).receipt_id
    path = transport.path_of(receipt)
    sidecar = path.with_name(path.name + ".sig")
    sidecar.unlink()
    assert transport.send("vn-luutru", "k-3", PAYLOAD).receipt_id == receipt
    assert sidecar.read_text() == signature(SECRET, path.read_bytes()) + "\n"


@pytest.mark.parametrize("key", ["../escape", "a/b", "", ".hidden"])
def test_a_key_that_is_not_a_plain_file_name_is_refused(tmp_path: Path, key: str) -> None:
    outcome = dropping(tmp_path).send("vn-luutru", key, PAYLOAD)
    assert outcome.kind == "rejected"
    assert files_under(tmp_path) == []


def test_channels_without_a_url_go_to_the_file_drop(tmp_path: Path) -> None:
    transport = build_transport(
        urls={"vn-luutru": "http://127.0.0.1:9/vn-luutru", "stats": ""},
        drop_dir=tmp_path,
        secret=SECRET,
    )
    assert transport.send("stats", "k-4", PAYLOAD).receipt_id.startswith("file-drop:stats/")
    assert transport.send("vn-tamtru", "k-4", PAYLOAD).receipt_id.startswith("file-drop:vn-tamtru/")
    assert transport.send("vn-luutru", "k-4", PAYLOAD).kind == "retry"  # nobody on port 9
    assert transport.send("elsewhere", "k-4", PAYLOAD).kind == "retry"


def test_the_feeds_refuse_to_sign_with_an_empty_key(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="signing key"):
        build_transport(urls={}, drop_dir=tmp_path, secret=b"")
