"""How a payload reaches a receiver: a signed file in a folder, or a signed HTTPS POST.

One interface, ``Transport.send(channel, key, payload) -> Outcome``; which transport
each channel uses is a setting (``build_transport``). The key is the outbox message's
key and the receiver's idempotency key: sending the same key twice is safe on both.

**File drop** (the embedded default, and how government systems often take batches):
``<dir>/<channel>/<yyyy-mm-dd>/<key>.json`` holds the payload's exact bytes, and
``<key>.json.sig`` beside it one line, ``sha256=<hex>``: the HMAC-SHA256 of those
bytes under the feed's signing key. A sidecar rather than an envelope, so the
signature covers the file byte for byte and a reader needs no re-serialisation. Both
are written to a hidden temporary file, flushed to disk and then moved into place;
the payload file is claimed with a hard link, which fails if the key exists, so
however often (or concurrently) a key is sent, exactly one payload file exists for
it. A file is complete once its ``.sig`` is there: readers take only signed files.
No police body reads the folder: a dropped report is an archive copy, not a
notification. Its receipt says so (``file-drop:<channel>/<day>/<key>.json``), and the
guests it names stay not notified (``is_archive_receipt``).

**HTTPS POST** of the same JSON, with ``Idempotency-Key: <key>``,
``X-Timestamp: <unix seconds>`` and ``X-Signature: sha256=<hex>``, the HMAC-SHA256
of ``<timestamp>.<body>``. A 2xx with a ``receipt_id`` is delivered; 400/422 is
rejected with the receiver's per-field ``errors``; 408, 429, 5xx, a refused
connection or a failed send is retried; a timeout or a lost answer after the request
went out is unverified (the receiver may have it: resend with the same key).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import json
import os
import re
import ssl
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from core.clock import VIETNAM, utcnow
from core.outbox.messages import Outcome
from lodging.registration.reports import FeedChannel

Clock = Callable[[], dt.datetime]
# Keys and channels become file names: letters, digits, dot, dash and underscore only.
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_MAX_ANSWER_BYTES = 64 * 1024
ARCHIVE_RECEIPT_PREFIX = "file-drop:"
# How far from its own clock a receiver lets ``X-Timestamp`` be (replays are refused).
TIMESTAMP_TOLERANCE_S = 300


class Transport(Protocol):
    """Carries one payload to one channel's receiver."""

    def send(self, channel: str, key: str, payload: Mapping[str, Any]) -> Outcome:
        """Deliver ``payload`` under the idempotency ``key``; never raises for I/O."""
        ...  # pragma: no cover - a protocol


def is_archive_receipt(receipt: str) -> bool:
    """Whether a delivery's receipt is the file drop's: kept, but sent to nobody."""
    return receipt.startswith(ARCHIVE_RECEIPT_PREFIX)


def encode(payload: Mapping[str, Any]) -> bytes:
    """The payload's bytes as sent: UTF-8 JSON, keys sorted, names as written."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signature(secret: bytes, message: bytes) -> str:
    """``sha256=<hex>``: the HMAC-SHA256 of ``message``."""
    return "sha256=" + hmac.new(secret, message, hashlib.sha256).hexdigest()


def request_signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """The ``X-Signature`` of a POST: it binds the timestamp to the body."""
    return signature(secret, timestamp.encode() + b"." + body)


class FileDropTransport:
    """Writes each payload as a signed JSON file into a folder per channel and day."""

    def __init__(self, directory: Path, secret: bytes, *, clock: Clock = utcnow) -> None:
        self.directory = directory
        self._secret = secret
        self._clock = clock

    def send(self, channel: str, key: str, payload: Mapping[str, Any]) -> Outcome:
        """Drop the file (once per key); the receipt names its path in the folder."""
        if not (_SAFE_NAME.fullmatch(channel) and _SAFE_NAME.fullmatch(key)):
            return Outcome("rejected", errors={"key": "Not usable as a file name."})
        try:
            path = self._find(channel, key) or self._drop(channel, key, encode(payload))
            self._sign(path)
        except OSError as exc:
            return Outcome("retry", detail=f"file drop failed: {exc}")
        # The receipt is the path inside the drop folder: short, and still unique.
        receipt = ARCHIVE_RECEIPT_PREFIX + path.relative_to(self.directory).as_posix()
        return Outcome("delivered", receipt_id=receipt)

    def path_of(self, receipt: str) -> Path:
        """The file a receipt of this transport names."""
        return self.directory / receipt.removeprefix(ARCHIVE_RECEIPT_PREFIX)

    def path_for(self, channel: str, key: str, day: dt.date) -> Path:
        return self.directory / channel / day.isoformat() / f"{key}.json"

    def _find(self, channel: str, key: str) -> Path | None:
        """The key's file if it was dropped before, on any day."""
        return next((self.directory / channel).glob(f"*/{key}.json"), None)

    def _drop(self, channel: str, key: str, body: bytes) -> Path:
        target = self.path_for(channel, key, self._clock().astimezone(VIETNAM).date())
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = _write_temporary(target, body)
        try:
            os.link(temporary, target)  # fails if the key is there: the first copy stays
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
        _sync_directory(target.parent)
        return target

    def _sign(self, path: Path) -> None:
        """Sign the file's exact bytes; repeating it writes the same signature."""
        sidecar = path.with_name(path.name + ".sig")
        line = signature(self._secret, path.read_bytes()) + "\n"
        if sidecar.exists() and sidecar.read_text(encoding="ascii") == line:
            return
        temporary = _write_temporary(sidecar, line.encode())
        temporary.replace(sidecar)
        _sync_directory(sidecar.parent)


def _write_temporary(target: Path, data: bytes) -> Path:
    """``data`` in a hidden file beside ``target``, flushed to disk."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    with temporary.open("xb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    return temporary


def _sync_directory(directory: Path) -> None:
    """Make a rename or link in ``directory`` survive a power cut."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class HttpTransport:
    """POSTs each payload as signed JSON to its channel's URL (stdlib ``http.client``)."""

    def __init__(
        self,
        urls: Mapping[str, str],
        secret: bytes,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        clock: Clock = utcnow,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.urls = dict(urls)
        self._secret = secret
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self._clock = clock
        self._ssl_context = ssl_context

    def send(self, channel: str, key: str, payload: Mapping[str, Any]) -> Outcome:
        """POST once; the outcome says whether, and how, to try again."""
        url = self.urls.get(channel)
        if not url:
            return Outcome("retry", detail=f"no URL configured for {channel}")
        body = encode(payload)
        timestamp = str(int(self._clock().timestamp()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "Idempotency-Key": key,
            "X-Timestamp": timestamp,
            "X-Signature": request_signature(self._secret, timestamp, body),
        }
        parts = urlsplit(url)
        connection = self._connection(parts.scheme, parts.netloc)
        try:
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            return self._exchange(connection, target, body, headers)
        finally:
            connection.close()

    def _connection(self, scheme: str, netloc: str) -> http.client.HTTPConnection:
        if scheme == "https":
            return http.client.HTTPSConnection(
                netloc, timeout=self.connect_timeout, context=self._ssl_context
            )
        return http.client.HTTPConnection(netloc, timeout=self.connect_timeout)

    def _exchange(
        self,
        connection: http.client.HTTPConnection,
        path: str,
        body: bytes,
        headers: dict[str, str],
    ) -> Outcome:
        try:
            connection.connect()
        except OSError as exc:  # refused, unreachable, TLS failure, connect timeout
            return Outcome("retry", detail=f"could not connect: {exc}")
        if connection.sock is not None:
            connection.sock.settimeout(self.read_timeout)
        try:
            connection.request("POST", path, body=body, headers=headers)
        except OSError as exc:  # the request did not get out whole: nothing was received
            return Outcome("retry", detail=f"sending failed: {exc}")
        try:
            response = connection.getresponse()
            answer = response.read(_MAX_ANSWER_BYTES)
        except TimeoutError:
            return Outcome("unverified", detail=f"no answer within {self.read_timeout} s")
        except (OSError, http.client.HTTPException) as exc:
            return Outcome("unverified", detail=f"answer lost: {exc!r}")
        return outcome_of(response.status, answer, response.getheader("Retry-After"))


def outcome_of(status: int, answer: bytes, retry_after: str | None = None) -> Outcome:
    """What a receiver's HTTP answer means for the delivery."""
    document = _json_object(answer)
    detail = f"HTTP {status}"
    if 200 <= status < 300:
        receipt = document.get("receipt_id")
        if isinstance(receipt, str) and receipt:
            return Outcome("delivered", receipt_id=receipt, detail=detail)
        return Outcome("unverified", detail=f"{detail} without a receipt_id")
    if status in {400, 422}:
        errors = _field_errors(document.get("errors"))
        if not errors:
            errors = {"payload": str(document.get("detail") or document.get("title") or detail)}
        return Outcome("rejected", errors=errors, detail=detail)
    if retry_after:
        detail += f", Retry-After: {retry_after}"
    # 408, 429 and 5xx are transient; any other answer (401, 403, 404…) is a setting for
    # an operator to fix: it is retried until it goes dead and can be replayed.
    title = document.get("title")
    return Outcome("retry", detail=f"{detail}: {title}" if title else detail)


def _json_object(answer: bytes) -> dict[str, Any]:
    try:
        document = json.loads(answer)
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}


def _field_errors(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        return {}
    return {
        str(path): "; ".join(map(str, message)) if isinstance(message, list) else str(message)
        for path, message in raw.items()
    }


class ChannelRouter:
    """One transport per channel, behind the same interface."""

    def __init__(self, routes: Mapping[str, Transport]) -> None:
        self.routes = dict(routes)

    def send(self, channel: str, key: str, payload: Mapping[str, Any]) -> Outcome:
        transport = self.routes.get(channel)
        if transport is None:
            return Outcome("retry", detail=f"no transport configured for {channel}")
        return transport.send(channel, key, payload)


def build_transport(
    *,
    urls: Mapping[str, str],
    drop_dir: Path,
    secret: bytes,
    connect_timeout: float = 5.0,
    read_timeout: float = 30.0,
) -> ChannelRouter:
    """Each channel over HTTPS if it has a URL, otherwise into the file drop."""
    if not secret:
        raise ValueError("the feeds need a signing key")
    files = FileDropTransport(drop_dir, secret)
    web = HttpTransport(
        {channel: url for channel, url in urls.items() if url},
        secret,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
    )
    routes: dict[str, Transport] = {
        channel.value: web if urls.get(channel.value) else files for channel in FeedChannel
    }
    return ChannelRouter(routes)
