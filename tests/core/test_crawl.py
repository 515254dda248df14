"""Crawl every GET route as every demo account and anonymously, in every language.

The portal is loaded with ``flask demo load`` (once for the module, on a database of
its own), plus one paid booking since the demo has none. Each rule's variables are
filled from that data by name; a rule with a variable nobody knows fails the crawl
until it gets a value here or a reason in ``SKIPPED``, so a new route is crawled
without a test of its own. No answer may be a 5xx, and every HTML page must parse.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule

from core.auth import services as accounts
from core.clock import local_now, utcnow
from core.crypto import cipher
from core.demo import DEMO_ACCOUNTS
from core.extensions import db
from core.i18n import LOCALE_CODES
from core.outbox.messages import OutboxMessage
from lodging.feeds import batch_templates, handover, handover_batches
from lodging.properties.models import Establishment
from lodging.properties.services import invitation_token
from lodging.registration.models import Stay
from portal.booking import services as booking_services
from portal.booking.models import RatePlan
from portal.booking.services import Actor, GuestContact, StayRequest
from portal.destinations.models import ContentItem, ContentType
from tests.factories import log_in
from tests.own_database import own_app

# Rules the crawl cannot fill, each with its reason. Keep it short: a rule here is not crawled.
SKIPPED: dict[str, str] = {}

# Elements that have no end tag (HTML's void elements).
VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip

SLUG_TYPES = {
    "destinations.show_place": ContentType.PLACE,
    "destinations.show_event": ContentType.EVENT,
    "destinations.event_calendar": ContentType.EVENT,
    "destinations.show_itinerary": ContentType.ITINERARY,
    "destinations.show_article": ContentType.ARTICLE,
}


class StrictHTML(HTMLParser):
    """The stdlib parser, made to complain: every element closed, in order, once."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = [name for name, _value in attrs]
        if len(names) != len(set(names)):
            self.errors.append(f"<{tag}> repeats an attribute: {names}")
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID and tag not in {"path", "circle", "rect", "line", "polyline"}:
            self.errors.append(f"<{tag}/> is not a void element")

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            self.errors.append(f"</{tag}> closes a void element")
        elif not self.open or self.open[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.open[-1] if self.open else 'nothing'}>")
        else:
            self.open.pop()


def html_errors(page: str) -> list[str]:
    parser = StrictHTML()
    parser.feed(page)
    parser.close()
    errors = parser.errors
    if parser.open:
        errors.append(f"left open: {parser.open}")
    if not page.lstrip().lower().startswith("<!doctype html>"):
        errors.append("no <!doctype html>")
    return errors[:3]


@dataclass
class Demo:
    app: Flask
    session: Any  # Flask-SQLAlchemy's own session, which the suite swaps for its test session
    values: dict[str, Any]
    tokens: dict[str, str]
    slugs: dict[tuple[ContentType, str], str]
    api_tokens: dict[str, str]


def _paid_booking(now: dt.datetime) -> str:
    plan_id = db.session.scalar(select(RatePlan.id).order_by(RatePlan.id))
    assert plan_id is not None
    today = local_now().date()
    booking = booking_services.hold_room(
        db.session,
        plan_id,
        StayRequest(today + dt.timedelta(days=7), today + dt.timedelta(days=9), adults=2),
        GuestContact("Đỗ Thị Lan", "lan@example.com", "vi"),
        now=now,
        actor=Actor("guest", "web"),
    )
    booking_services.confirm_booking(db.session, booking, now=now, actor=Actor("guest", "web"))
    return booking.reference


def _handover_batch(place: Establishment, now: dt.datetime) -> int:
    """A hand-over batch of the demo's guests due at the first portal that has any."""
    for portal in batch_templates.PORTALS:
        try:
            download = handover_batches.make_batch(
                db.session,
                place,
                portal,
                cipher=cipher(),
                now=now,
                actor_id=None,
                actor_label="crawl",
                address="127.0.0.1",
            )
        except handover.HandoverError:
            continue
        return download.batch_id
    raise AssertionError("the demo has guests due for hand-over")


def _demo_values(app: Flask) -> Demo:
    """The ids the demo gives, by the name of the variable they fill."""
    now = utcnow()
    stay = db.session.scalars(select(Stay).order_by(Stay.id)).first()
    assert stay is not None, "the demo declares stays"
    assert stay.checkin_token is not None
    place = db.session.get(Establishment, stay.establishment_id)
    assert place is not None
    items = db.session.scalars(select(ContentItem).order_by(ContentItem.id)).all()
    slugs = {(item.type, t.lang): t.slug for item in items for t in item.translations}
    secret = app.config["PORTAL_SETTINGS"].secret_key
    values = {
        "establishment_id": place.id,
        "stay_id": stay.id,
        "guest_id": stay.guests[-1].id,
        "message_id": db.session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id)),
        "item_id": items[0].id,
        "code": "en",
        "type_name": "place",
        "reference": _paid_booking(now),
        "batch_id": _handover_batch(place, now),
        "commune_code": place.commune_code,
        "name": "missing.jpg",
        "filename": "css/portal.css",
    }
    tokens = {
        "self_checkin.stay_form": stay.checkin_token,
        "self_checkin.thanks": stay.checkin_token,
        "properties.accept_invitation": invitation_token(secret, place, "new@example.com"),
    }
    api_tokens = {}
    for _role, email, _password, _name in DEMO_ACCOUNTS:
        user = accounts.find_user(db.session, email)
        assert user is not None
        api_tokens[email] = accounts.create_api_token(db.session, user, "crawl", now)
    db.session.commit()
    values["default_token"] = place.checkin_token
    return Demo(app, db.session, values, tokens, slugs, api_tokens)


@pytest.fixture(scope="module")
def demo(request: pytest.FixtureRequest) -> Iterator[Demo]:
    with tempfile.TemporaryDirectory() as folder, own_app(request, Path(folder), "crawl") as app:
        result = app.test_cli_runner().invoke(args=["demo", "load"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            found = _demo_values(app)
        yield found


@pytest.fixture
def demo_app(demo: Demo, monkeypatch: pytest.MonkeyPatch) -> Demo:
    """The demo's app, its requests on its own database (not the suite's rolled-back one)."""
    monkeypatch.setattr(db, "session", demo.session)
    return demo


def fill(rule: Rule, demo: Demo, lang: str) -> dict[str, Any] | None:
    """The rule's variables from the demo, or None when one is unknown."""
    values: dict[str, Any] = {"lang": lang}
    for name in rule.arguments - set(rule.defaults or {}):
        if name == "lang":
            continue
        if name == "token":
            values[name] = demo.tokens.get(rule.endpoint, demo.values["default_token"])
        elif name == "slug" and rule.endpoint in SLUG_TYPES:
            type_ = SLUG_TYPES[rule.endpoint]
            values[name] = demo.slugs.get((type_, lang), demo.slugs[(type_, "vi")])
        elif name == "id":
            key = "stay_id" if rule.endpoint == "registration_api.get_stay" else "establishment_id"
            values[name] = demo.values[key]
        elif name in demo.values:
            values[name] = demo.values[name]
        else:
            return None
    return {name: value for name, value in values.items() if name in rule.arguments}


def crawl_paths(demo: Demo) -> tuple[list[str], list[str]]:
    """Every GET rule's URL in every language it takes, and the rules left unfilled."""
    paths, unfilled = [], []
    with demo.app.test_request_context():
        for rule in demo.app.url_map.iter_rules():
            if "GET" not in (rule.methods or set()) or rule.endpoint in SKIPPED:
                continue
            for lang in LOCALE_CODES if "lang" in rule.arguments else ("vi",):
                values = fill(rule, demo, lang)
                if values is None:
                    unfilled.append(rule.rule)
                    break
                paths.append(url_for(rule.endpoint, **values))
    return paths, unfilled


def browser(demo: Demo, email: str | None) -> FlaskClient:
    client = demo.app.test_client()
    if email is not None:
        password = next(p for _r, e, p, _n in DEMO_ACCOUNTS if e == email)
        log_in(client, email, password)
    return client


def test_the_html_check_finds_misnested_and_unclosed_elements():
    assert html_errors("<!doctype html><html><body><p>ok</p><br></body></html>") == []
    assert html_errors("<!doctype html><div><span></div></span>")
    assert html_errors("<!doctype html><table><tr><td>1</tr></table>")
    assert html_errors("<html><main></main></html>") == ["no <!doctype html>"]


def test_every_get_rule_is_filled_from_the_demo_or_skipped_for_a_reason(demo_app):
    demo = demo_app
    paths, unfilled = crawl_paths(demo)
    assert unfilled == [], f"give these variables a demo value (or a reason in SKIPPED): {unfilled}"
    assert len(SKIPPED) <= 3, SKIPPED
    rules = [r for r in demo.app.url_map.iter_rules() if "GET" in (r.methods or set())]
    assert len(paths) > len(rules) * 3  # the pages come in every language
    assert f"/vi/desk/stays/{demo.values['stay_id']}" in paths


@pytest.mark.parametrize(
    "email", [None, *(email for _r, email, _p, _n in DEMO_ACCOUNTS)], ids=lambda e: e or "anonymous"
)
def test_every_page_answers_without_a_server_error_and_parses(demo_app, email):
    demo = demo_app
    client = browser(demo, email)
    headers = {"Authorization": f"Bearer {demo.api_tokens[email]}"} if email else {}
    failures = []
    paths, _unfilled = crawl_paths(demo)
    for path in paths:
        response = client.get(path, headers=headers if path.startswith("/api/") else {})
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {path}")
        elif response.mimetype == "text/html" and response.status_code == 200:
            errors = html_errors(response.get_data(as_text=True))
            if errors:
                failures.append(f"HTML {path}: {errors}")
        response.close()  # static files are streamed from an open file
    assert failures == [], "\n".join(failures)
