"""Outgoing e-mail: written to the outbox with the change, sent over SMTP by a worker.

A feature composes the message (in the reader's language) and calls ``enqueue_mail`` in
its transaction; nothing is sent unless that transaction commits. The worker hands the
message to ``SmtpMailer``, which tells the outbox what came of it:

- the server took it (``250`` after DATA): ``delivered``, with the Message-ID as receipt;
- the server refused a recipient or the content for good (5xx): ``rejected``;
- the server could not be reached, or deferred (4xx), before the content was sent:
  ``retry`` — nothing was handed over, sending again is safe;
- the connection broke after the content went out but before the answer: ``unverified``.
  SMTP servers do not de-duplicate, so such a message waits for an operator instead of
  being sent again; its fixed Message-ID lets mail clients fold a replayed copy.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Protocol

from flask import Flask

from core.database import DbSession
from core.outbox import messages as outbox
from core.outbox.messages import OutboxMessage, Outcome

MAIL_KIND = "mail.send"
MAIL_CHANNEL = "mail"
DEFAULT_TIMEOUT_S = 20.0
# Python 3.11 folds a long non-ASCII header into several encoded words and drops the
# space between two of them ("người nước ngoài" arrives as "người nướcngoài"). Headers
# are folded only past SMTP's own line limit instead; the body is encoded as set.
WIRE_POLICY = SMTP_POLICY.clone(max_line_length=998)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # "image/png", "text/calendar"
    data: bytes


def enqueue_mail(
    session: DbSession,
    *,
    to: Sequence[str],
    subject: str,
    text: str,
    key: str,
    now: dt.datetime,
    lang: str = "vi",
    attachments: Sequence[Attachment] = (),
) -> OutboxMessage:
    """Queue an e-mail in the caller's transaction.

    ``key`` makes it once-only: a second message with the same key is refused by the
    database (the caller checks first, see ``core.outbox.periodic.already_queued``).
    """
    if not to:
        raise ValueError("an e-mail needs at least one recipient")
    return outbox.enqueue(
        session,
        kind=MAIL_KIND,
        key=mail_key(key),
        payload={
            "to": list(to),
            "subject": subject,
            "text": text,
            "lang": lang,
            "attachments": [
                {
                    "filename": item.filename,
                    "content_type": item.content_type,
                    "data": base64.b64encode(item.data).decode(),
                }
                for item in attachments
            ],
        },
        now=now,
    )


def mail_key(key: str) -> str:
    return f"mail:{key}"


class Mailer(Protocol):
    def compose(
        self, payload: dict[str, Any], message_id: str, now: dt.datetime
    ) -> EmailMessage: ...

    def send(self, mail: EmailMessage) -> Outcome: ...


def compose_mail(
    payload: dict[str, Any], sender: str, message_id: str, now: dt.datetime
) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = ", ".join(payload["to"])
    mail["Subject"] = payload["subject"]
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = message_id
    mail["Content-Language"] = payload.get("lang", "vi")
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(payload["text"])
    for item in payload.get("attachments", ()):
        maintype, _slash, subtype = item["content_type"].partition("/")
        mail.add_attachment(
            base64.b64decode(item["data"]),
            maintype=maintype,
            subtype=subtype,
            filename=item["filename"],
        )
    return mail


@dataclass(frozen=True)
class MailDrop:
    """Writes each e-mail as an ``.eml`` file instead of sending it.

    The embedded default (no ``SMTP_HOST``), so the demo's alerts can be read without a
    mail server.
    """

    directory: Path
    sender: str

    def compose(self, payload: dict[str, Any], message_id: str, now: dt.datetime) -> EmailMessage:
        return compose_mail(payload, self.sender, message_id, now)

    def send(self, mail: EmailMessage) -> Outcome:
        name = hashlib.sha256(str(mail["Message-ID"]).encode()).hexdigest()[:24] + ".eml"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            partial = self.directory / f".{name}.partial"
            partial.write_bytes(mail.as_bytes(policy=WIRE_POLICY))
            partial.replace(self.directory / name)  # atomic: a reader never sees half
        except OSError as exc:
            return Outcome("retry", detail=f"cannot write {self.directory}: {exc}")
        return Outcome("delivered", receipt_id=name)


@dataclass(frozen=True)
class SmtpMailer:
    """Sends outbox e-mails through one SMTP server (STARTTLS when it offers it)."""

    host: str
    port: int
    sender: str
    user: str = ""
    password: str = ""
    timeout: float = DEFAULT_TIMEOUT_S

    def compose(self, payload: dict[str, Any], message_id: str, now: dt.datetime) -> EmailMessage:
        return compose_mail(payload, self.sender, message_id, now)

    def send(self, mail: EmailMessage) -> Outcome:
        """Hand ``mail`` to the server, step by step, to know what an error means."""
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        except (OSError, smtplib.SMTPException) as exc:
            return Outcome("retry", detail=f"cannot reach {self.host}:{self.port}: {exc}")
        with smtp:
            return self._envelope_refused(smtp, mail) or self._content(smtp, mail)

    def _envelope_refused(self, smtp: smtplib.SMTP, mail: EmailMessage) -> Outcome | None:
        """Greet, log in, name sender and recipients: an outcome if that failed, else None."""
        try:
            self._introduce(smtp)
            refused = self._envelope(smtp, mail)
        except smtplib.SMTPResponseException as exc:
            return _refusal(exc.smtp_code, exc.smtp_error, "envelope")
        except (OSError, smtplib.SMTPException) as exc:
            return Outcome("retry", detail=f"before the content was sent: {exc}")
        if refused:
            return Outcome("rejected", errors={"to": refused}, detail=refused)
        return None

    def _content(self, smtp: smtplib.SMTP, mail: EmailMessage) -> Outcome:
        try:
            # Raises if DATA itself is refused; the answer to the content is returned.
            # SMTP's line ends are CRLF; smtplib sends bytes as they are.
            code, answer = smtp.data(mail.as_bytes(policy=WIRE_POLICY))
        except smtplib.SMTPResponseException as exc:
            return _refusal(exc.smtp_code, exc.smtp_error, "content")
        except (OSError, smtplib.SMTPException) as exc:
            return Outcome("unverified", detail=f"no answer after the content: {exc}")
        if code != 250:
            return _refusal(code, answer, "content")
        return Outcome("delivered", receipt_id=str(mail["Message-ID"]))

    def _introduce(self, smtp: smtplib.SMTP) -> None:
        smtp.ehlo()
        if smtp.has_extn("starttls"):
            smtp.starttls()
            smtp.ehlo()
        if self.user:
            smtp.login(self.user, self.password)

    def _envelope(self, smtp: smtplib.SMTP, mail: EmailMessage) -> str:
        """MAIL FROM and RCPT TO; the refused recipients, if every one was refused."""
        code, answer = smtp.mail(self.sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, answer, self.sender)
        refused = []
        recipients = [address.strip() for address in str(mail["To"]).split(",")]
        for address in recipients:
            code, answer = smtp.rcpt(address)
            if code >= 500:
                refused.append(f"{address}: {code} {answer.decode(errors='replace')}")
            elif code >= 400:
                raise smtplib.SMTPRecipientsRefused({address: (code, answer)})
        return "; ".join(refused) if len(refused) == len(recipients) else ""


def _refusal(code: int, answer: bytes | str, stage: str) -> Outcome:
    text = answer.decode(errors="replace") if isinstance(answer, bytes) else answer
    detail = f"{stage}: {code} {text}"
    if 400 <= code < 500:
        return Outcome("retry", detail=detail)
    return Outcome("rejected", errors={stage: detail}, detail=detail)


def message_id_for(key: str, domain: str) -> str:
    """The Message-ID of the e-mail sent for an outbox ``key``.

    Derived from the key, so a resent or replayed copy carries the same Message-ID and a
    reader (or a mail client folding duplicates) knows it for the same message.
    """
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    return f"<{digest}@{domain}>"


def register_mail(app: Flask, mailer: Mailer, domain: str) -> None:
    """Let the outbox workers send the queued e-mails through ``mailer``."""

    def deliver(_session: DbSession, message: OutboxMessage, now: dt.datetime) -> Outcome:
        message_id = message_id_for(message.key, domain)
        return mailer.send(mailer.compose(message.payload, message_id, now))

    outbox.register_handler(app, MAIL_KIND, deliver, channel=MAIL_CHANNEL)
