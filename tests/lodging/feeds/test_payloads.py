"""What the police receive: exact payloads, their schemas, and names in plain ASCII."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from core.clock import VIETNAM
from lodging.feeds.channels import UnknownSchemaError, schema, validation_errors
from lodging.feeds.payloads import ascii_name, citizen_report, foreigner_report, police_reports
from lodging.registration.models import DocumentType, StayStatus
from lodging.registration.reports import FeedChannel
from tests.factories import TEST_CIPHER
from tests.lodging.feeds import samples

GOLDEN = Path(__file__).parent / "golden"


def pretty(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def golden(name: str) -> str:
    return (GOLDEN / name).read_text(encoding="utf-8")


def test_citizen_declaration_matches_the_golden_file() -> None:
    stay = samples.stay()
    samples.citizen(stay)
    samples.foreigner(stay)
    payload = citizen_report(stay, stay.guests, event="declare", amends=None, cipher=TEST_CIPHER)
    assert pretty(payload) == golden("vn-luutru-declare.json")


def test_foreigner_checkout_matches_the_golden_file() -> None:
    departed = dt.datetime(2025, 8, 3, 11, 30, tzinfo=VIETNAM).astimezone(dt.UTC)
    stay = samples.stay(status=StayStatus.CHECKED_OUT, departed_at=departed)
    samples.citizen(stay)
    samples.foreigner(stay)
    payload = foreigner_report(
        stay, stay.guests, event="checkout", amends="lodging-stay-event-40", cipher=TEST_CIPHER
    )
    assert pretty(payload) == golden("vn-tamtru-checkout.json")


@pytest.mark.parametrize("name", ["vn-luutru-declare.json", "vn-tamtru-checkout.json"])
def test_golden_payloads_follow_their_schema(name: str) -> None:
    payload = json.loads(golden(name))
    assert validation_errors(payload["channel"], payload) == {}


def test_each_guest_goes_to_their_own_police_channel() -> None:
    stay = samples.stay()
    samples.citizen(stay)
    samples.foreigner(stay)
    reports = dict(
        police_reports(stay, stay.guests, event="declare", amends={}, cipher=TEST_CIPHER)
    )
    assert [g["full_name"] for g in reports[FeedChannel.CITIZENS]["guests"]] == ["Nguyễn Thị Ánh"]
    assert [g["full_name"] for g in reports[FeedChannel.FOREIGNERS]["guests"]] == ["Jürgen Müller"]


def test_a_stay_of_citizens_only_sends_nothing_to_immigration() -> None:
    stay = samples.stay()
    samples.citizen(stay)
    reports = police_reports(stay, stay.guests, event="declare", amends={}, cipher=TEST_CIPHER)
    assert [channel for channel, _ in reports] == [FeedChannel.CITIZENS]


def test_a_child_without_papers_is_reported_without_a_number() -> None:
    stay = samples.stay()
    samples.citizen(stay)
    samples.citizen(stay, id=33, position=1, document_type=DocumentType.NONE, document_number=None)
    payload = citizen_report(stay, stay.guests, event="declare", amends=None, cipher=TEST_CIPHER)
    assert payload["guests"][1]["id_number"] is None
    assert validation_errors("vn-luutru", payload) == {}


def test_an_unknown_event_is_a_programming_error() -> None:
    stay = samples.stay()
    samples.citizen(stay)
    with pytest.raises(ValueError, match="unknown stay event"):
        citizen_report(stay, stay.guests, event="teleport", amends=None, cipher=TEST_CIPHER)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Nguyễn Thị Ánh", "NGUYEN THI ANH"),
        ("Đặng", "DANG"),
        ("Trần Đức Thắng", "TRAN DUC THANG"),
        ("Lê  Văn\tƯớc", "LE VAN UOC"),
        ("Jürgen Müller-Søren", "JURGEN MULLER-SOREN"),
        ("Seán O'Brien", "SEAN O'BRIEN"),
        ("Straße", "STRASSE"),
        ("Łukasz Żółć", "LUKASZ ZOLC"),
    ],
)
def test_names_are_transliterated_to_upper_case_ascii(name: str, expected: str) -> None:
    assert ascii_name(name) == expected


def test_the_police_schemas_catch_a_malformed_id_number() -> None:
    payload = json.loads(golden("vn-luutru-declare.json"))
    payload["guests"][0]["id_number"] = "00119001234"
    assert list(validation_errors("vn-luutru", payload)) == ["guests[0].id_number"]


def test_a_missing_field_is_reported_at_its_own_path() -> None:
    payload = json.loads(golden("vn-tamtru-checkout.json"))
    del payload["guests"][0]["entry"]["port"]
    del payload["room"]
    errors = validation_errors("vn-tamtru", payload)
    assert set(errors) == {"guests[0].entry.port", "room"}


def test_an_unexpected_field_is_reported_at_its_own_path() -> None:
    payload = json.loads(golden("vn-luutru-declare.json"))
    payload["guests"][0]["nickname"] = "Ánh"
    assert list(validation_errors("vn-luutru", payload)) == ["guests[0].nickname"]


def test_a_visa_needs_its_number() -> None:
    payload = json.loads(golden("vn-tamtru-checkout.json"))
    payload["guests"][0]["entry_permit"]["number"] = None
    assert list(validation_errors("vn-tamtru", payload)) == ["guests[0].entry_permit.number"]


def test_an_unknown_schema_version_is_named() -> None:
    payload = json.loads(golden("vn-luutru-declare.json"))
    payload["schema_version"] = 99
    assert list(validation_errors("vn-luutru", payload)) == ["schema_version"]
    with pytest.raises(UnknownSchemaError):
        schema("vn-luutru", 99)


@pytest.mark.parametrize("channel", list(FeedChannel))
def test_every_channel_has_a_2020_12_schema_for_its_version(channel: FeedChannel) -> None:
    found = schema(channel.value, 1)
    assert found["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert found["properties"]["channel"] == {"const": channel.value}
