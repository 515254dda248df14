"""The signed feed's OpenAPI document: committed as generated, whole, and true to the payloads."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from flask import Flask
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from sqlalchemy.orm import Session

from core.clock import utcnow
from lodging.feeds.openapi import RECEIVER_OPENAPI_PATH, receiver_openapi, render
from lodging.feeds.payloads import police_reports
from lodging.feeds.receiver import Receiver
from lodging.feeds.stats import daily_stats
from lodging.registration import services
from lodging.registration.models import Actor, Channel, GuestRole
from lodging.registration.reports import FeedChannel
from tests.factories import TEST_CIPHER, citizen, declare, foreigner, make_establishment, stay_input

DOCUMENT = "urn:test:receiver-openapi"


def body_validator(document: dict[str, Any], channel: str) -> Draft202012Validator:
    """A validator of a channel's request body, with the references inside the document."""
    operation = document["paths"][f"/{channel}"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    registry = Registry().with_resource(DOCUMENT, DRAFT202012.create_resource(document))
    return Draft202012Validator(
        {"$ref": DOCUMENT + schema["$ref"]}, registry=registry, format_checker=FormatChecker()
    )


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in refs(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in refs(item)]
    return []


def test_the_committed_document_is_the_one_generated() -> None:
    committed = RECEIVER_OPENAPI_PATH.read_text(encoding="utf-8")
    assert committed == render(), "run: flask --app wsgi feeds receiver-openapi --write"


def test_every_channel_has_its_path_and_every_reference_resolves() -> None:
    document = receiver_openapi()
    assert document["openapi"].startswith("3.1.")
    assert set(document["paths"]) == {f"/{channel.value}" for channel in FeedChannel}
    for ref in set(refs(document)):
        assert ref.startswith("#/components/"), ref
        node: Any = document
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]  # a KeyError names the dangling reference
    post = document["paths"]["/vn-tamtru"]["post"]
    headers = {p["$ref"].rpartition("/")[2] for p in post["parameters"]}
    assert headers == {"IdempotencyKey", "Timestamp", "Signature"}
    assert {"2XX", "422", "429", "503"} <= set(post["responses"])


def test_real_reports_validate_against_the_document_and_a_broken_one_does_not(
    db_session: Session,
) -> None:
    hotel = make_establishment(db_session)
    family = stay_input(
        citizen(role=GuestRole.HEAD), foreigner(role=GuestRole.MEMBER, relationship="wife")
    )
    stay = declare(db_session, hotel, family)
    actor = Actor(None, "test", Channel.DESK)
    services.check_out(db_session, stay, departed_at=utcnow(), actor=actor, now=utcnow())
    document = receiver_openapi()
    for event, amends in (("declare", None), ("checkout", "lodging-stay-event-1-citizens")):
        reports = police_reports(
            stay,
            stay.guests,
            event=event,
            amends=dict.fromkeys(FeedChannel, amends),
            cipher=TEST_CIPHER,
        )
        assert len(reports) == 2
        for channel, payload in reports:
            validator = body_validator(document, channel.value)
            assert list(validator.iter_errors(payload)) == [], (channel, event)
    stats = daily_stats(db_session, hotel, stay.arrival.date())
    assert list(body_validator(document, "stats").iter_errors(stats)) == []
    [(_channel, broken)] = police_reports(
        stay, stay.guests[:1], event="declare", amends={}, cipher=TEST_CIPHER
    )
    broken["guests"][0]["id_number"] = "12345"
    assert not body_validator(document, "vn-luutru").is_valid(broken)


def test_the_reference_receiver_serves_the_document() -> None:
    with Receiver(secret=b"openapi-test") as receiver:
        url = f"http://127.0.0.1:{receiver.port}/openapi.json"
        with urllib.request.urlopen(url, timeout=5) as answer:
            served = json.load(answer)
    assert served == receiver_openapi()


@pytest.mark.usefixtures("db_session")
def test_the_cli_prints_the_document(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["feeds", "receiver-openapi"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == receiver_openapi()
