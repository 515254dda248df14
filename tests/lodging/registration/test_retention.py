"""Retention purge and the data subject's export: what goes, what stays, who is found."""

from __future__ import annotations

import datetime as dt
import json

from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from core.audit import AuditEntry
from core.clock import VIETNAM, utcnow
from lodging.properties.models import Establishment
from lodging.registration import retention, services
from lodging.registration.declarations import ForeignerInput, GuestInput
from lodging.registration.documents import Sex
from lodging.registration.models import Actor, Channel, GuestRole, PassportType, Stay, VisaType
from tests.factories import TEST_CIPHER, citizen, foreigner, make_establishment, stay_input

DESK = Actor(None, "test", Channel.DESK)
YEAR = dt.timedelta(days=365)
OLD_NAME = "Trần Văn Bình"
OLD_NUMBER = "001088123456"  # a man born in 1988, birth registered in Hà Nội


def old_citizen(**overrides: object) -> GuestInput:
    values: dict[str, object] = {
        "full_name": OLD_NAME,
        "birth_date": dt.date(1988, 5, 20),
        "sex": Sex.M,
        "document_number": OLD_NUMBER,
    }
    values.update(overrides)
    return citizen(**values)


def stay_at(
    session: Session,
    hotel: Establishment,
    *guests: GuestInput,
    arrived: dt.datetime,
    departed: dt.datetime | None = None,
) -> Stay:
    """A stay declared on arrival, checked out at ``departed``, its reports delivered."""
    data = stay_input(
        *guests,
        arrival=arrived,
        expected_departure=(arrived + dt.timedelta(days=2)).astimezone(VIETNAM).date(),
    )
    stay, _created = services.declare_stay(
        session, hotel, data, actor=DESK, cipher=TEST_CIPHER, now=arrived
    )
    if departed is not None:
        services.check_out(session, stay, departed_at=departed, actor=DESK, now=departed)
    for guest in stay.guests:
        guest.report_status = "delivered"  # what the feed worker does
    session.commit()
    return stay


def kim(**overrides: object) -> GuestInput:
    """The Korean tourist of the factories, who entered Vietnam well before these stays."""
    entered = utcnow().date() - dt.timedelta(days=30)
    details = ForeignerInput(
        passport_type=PassportType.ORDINARY,
        visa_type=VisaType.EXEMPT,
        entry_date=entered,
        entry_port="Nội Bài",
        entry_purpose="tourism",
    )
    return foreigner(foreigner=details, **overrides)


def dump(session: Session, table: str) -> str:
    rows = session.execute(text(f"SELECT * FROM {table}")).all()  # noqa: S608 - our own names
    return repr([tuple(row) for row in rows])


def test_purge_clears_identity_of_old_stays_and_keeps_what_statistics_count(
    db_session: Session,
) -> None:
    hotel = make_establishment(db_session)
    now = utcnow()
    arrived = now - 2 * YEAR
    old = stay_at(
        db_session,
        hotel,
        old_citizen(role=GuestRole.HEAD),
        citizen(role=GuestRole.MEMBER, relationship="vợ", full_name="Lê Thị Hoa"),
        arrived=arrived,
        departed=arrived + dt.timedelta(days=2),
    )
    recent = stay_at(db_session, hotel, arrived=now - dt.timedelta(days=10), departed=now)
    old_ids = [g.id for g in old.guests]

    assert retention.purge_identity(db_session, older_than=YEAR, now=now) == 2
    db_session.commit()
    db_session.expire_all()

    for guest in old.guests:
        assert (guest.full_name, guest.name_folded, guest.relationship_to_head) == ("", "", "")
        assert guest.birth_date is None
        assert guest.document_number is None
        assert guest.document_hash is None
        assert guest.purged_at == now
    head = old.guests[0]
    assert (head.birth_year, head.sex, head.nationality) == (1988, "M", "VN")
    assert (head.residence_country, head.residence_province_code) == ("VN", 1)
    assert head.arrival == arrived
    assert head.report_status == "delivered"
    assert old.departed_at == arrived + dt.timedelta(days=2)
    assert recent.guests[0].full_name == "Nguyễn Thị Ánh"
    assert recent.guests[0].purged_at is None
    guests_dump = dump(db_session, "lodging_guest")
    assert OLD_NAME not in guests_dump
    assert "Lê Thị Hoa" not in guests_dump
    assert OLD_NUMBER not in guests_dump
    history = [event.after for event in old.events if "guests" in event.after]
    assert history == [{**history[0], "guests": [{"id": i, "purged": True} for i in old_ids]}]
    assert OLD_NAME not in dump(db_session, "lodging_stay_event")


def test_purge_is_idempotent(db_session: Session) -> None:
    hotel = make_establishment(db_session)
    now = utcnow()
    stay = stay_at(db_session, hotel, arrived=now - 2 * YEAR, departed=now - 2 * YEAR)
    assert retention.purge_identity(db_session, older_than=YEAR, now=now) == 1
    later = now + dt.timedelta(days=1)
    assert retention.purge_identity(db_session, older_than=YEAR, now=later) == 0
    db_session.expire_all()
    assert stay.guests[0].purged_at == now


def test_stays_never_checked_out_end_on_their_expected_departure(db_session: Session) -> None:
    hotel = make_establishment(db_session)
    now = utcnow()
    forgotten = stay_at(db_session, hotel, arrived=now - 2 * YEAR)
    in_house = stay_at(db_session, hotel, arrived=now - dt.timedelta(hours=2))
    assert retention.purge_identity(db_session, older_than=YEAR, now=now) == 1
    assert forgotten.guests[0].purged_at == now
    assert in_house.guests[0].full_name == "Nguyễn Thị Ánh"


def test_cancelled_stays_end_when_they_were_declared(db_session: Session) -> None:
    hotel = make_establishment(db_session)
    now = utcnow()
    declared = now - 2 * YEAR
    stay = stay_at(db_session, hotel, arrived=declared)
    services.cancel_stay(db_session, stay, reason="wrong hotel", actor=DESK, now=now)
    stay.guests[0].report_status = "delivered"  # the cancellation reached the police
    assert retention.purge_identity(db_session, older_than=YEAR, now=now) == 1
    assert stay.guests[0].full_name == ""


def test_a_report_still_on_its_way_keeps_its_identity_until_sent(db_session: Session) -> None:
    hotel = make_establishment(db_session)
    now = utcnow()
    stay = stay_at(db_session, hotel, arrived=now - 2 * YEAR, departed=now - 2 * YEAR)
    stay.guests[0].report_status = "queued"
    assert retention.purge_identity(db_session, older_than=YEAR, now=now) == 0
    stay.guests[0].report_status = "delivered"
    assert retention.purge_identity(db_session, older_than=YEAR, now=now) == 1


def test_purge_command_prints_the_count_and_audits_it(app: Flask, db_session: Session) -> None:
    hotel = make_establishment(db_session)
    now = utcnow()
    stay_at(db_session, hotel, arrived=now - 2 * YEAR, departed=now - 2 * YEAR)
    result = app.test_cli_runner().invoke(args=["lodging", "purge", "--older-than", "365"])
    assert result.exit_code == 0, result.output
    assert " 1 guests" in result.output
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "guest.purge")).one()
    assert entry.detail == {"count": 1, "days": 365}


def test_purge_command_refuses_less_than_a_day(app: Flask, db_session: Session) -> None:
    hotel = make_establishment(db_session)
    stay = stay_at(db_session, hotel, arrived=utcnow() - dt.timedelta(hours=3), departed=utcnow())
    result = app.test_cli_runner().invoke(args=["lodging", "purge", "--older-than", "0"])
    assert result.exit_code != 0
    assert "--older-than" in result.output
    assert stay.guests[0].full_name == "Nguyễn Thị Ánh"
    assert db_session.scalar(select(AuditEntry).where(AuditEntry.action == "guest.purge")) is None


def test_export_gives_every_stay_of_the_person_and_nothing_of_others(
    app: Flask, db_session: Session, tmp_path
) -> None:
    ha_long = make_establishment(db_session, name="Khách sạn Vịnh Xanh")
    sa_pa = make_establishment(
        db_session, name="Homestay Ruộng Bậc Thang", province="Lào Cai", commune="Sa Pa"
    )
    now = utcnow()
    first = stay_at(
        db_session,
        ha_long,
        kim(role=GuestRole.HEAD),
        citizen(role=GuestRole.MEMBER, relationship="wife", full_name="Phạm Thị Mai"),
        arrived=now - dt.timedelta(days=6),
        departed=now - dt.timedelta(days=4),
    )
    second = stay_at(db_session, sa_pa, kim(document_number="m 1234 5678"), arrived=now)
    stay_at(
        db_session,
        ha_long,
        kim(full_name="LEE SO-YEON", document_number="M87654321"),
        arrived=now,
    )
    output = tmp_path / "kim.json"
    command = ["lodging", "export", "--document-type", "passport", "--output", str(output)]

    result = app.test_cli_runner().invoke(args=command, input="M12345678\n")

    assert result.exit_code == 0, result.output
    exported = output.read_text(encoding="utf-8")
    assert "Nội Bài" in exported  # as written, not \u-escaped
    data = json.loads(exported)
    assert [s["stay_id"] for s in data["stays"]] == [first.id, second.id]
    assert [s["establishment"]["name"] for s in data["stays"]] == [
        "Khách sạn Vịnh Xanh",
        "Homestay Ruộng Bậc Thang",
    ]
    guest = data["stays"][0]["guest"]
    assert (guest["full_name"], guest["document_number"]) == ("KIM MIN-JUN", "M12345678")
    assert guest["foreigner"]["entry_port"] == "Nội Bài"
    assert data["stays"][0]["room"] == "101"
    assert [e["kind"] for e in data["stays"][0]["history"]] == ["declare", "checkout"]
    declared = data["stays"][0]["history"][0]["after"]
    assert [g["full_name"] for g in declared["guests"]] == ["KIM MIN-JUN"]
    assert "Phạm Thị Mai" not in exported
    assert "LEE SO-YEON" not in exported
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "guest.export")).one()
    assert entry.detail["guest_ids"] == [first.guests[0].id, second.guests[0].id]
    assert "M12345678" not in json.dumps(entry.detail)


def test_export_prints_json_and_finds_nothing_for_an_unknown_document(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["lodging", "export", "--document-type", "cccd"], input="001190099999\n"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["stays"] == []


def test_export_takes_the_document_number_from_stdin_only(app: Flask) -> None:
    """On the command line it would stay in the shell history and the process list."""
    runner = app.test_cli_runner()
    command = ["lodging", "export", "--document-type", "cccd"]
    refused = runner.invoke(args=[*command, "--document-number", "001190099999"])
    assert refused.exit_code == 2
    assert "No such option" in refused.output
    empty = runner.invoke(args=command, input="\n")
    assert empty.exit_code == 2
    assert "document number on standard input" in empty.output


def test_purged_guests_are_no_longer_found_by_their_document(db_session: Session) -> None:
    hotel = make_establishment(db_session)
    now = utcnow()
    stay_at(db_session, hotel, old_citizen(), arrived=now - 2 * YEAR, departed=now - 2 * YEAR)
    retention.purge_identity(db_session, older_than=YEAR, now=now)
    found = retention.export_guest_data(
        db_session, TEST_CIPHER, document_type="cccd", document_number=OLD_NUMBER
    )
    assert found["stays"] == []
