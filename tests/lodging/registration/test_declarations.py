"""Every check a declaration must pass, each reported on its own field."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy.orm import Session

from core.clock import VIETNAM, utcnow
from lodging.properties.models import Establishment
from lodging.registration.declarations import (
    DeclarationError,
    ForeignerInput,
    GuestInput,
    StayInput,
    check_stay,
)
from lodging.registration.documents import Sex
from lodging.registration.models import DocumentType, GuestRole, VisaType
from tests.factories import citizen, foreigner, make_establishment, stay_input


@pytest.fixture
def hotel(db_session: Session) -> Establishment:
    return make_establishment(db_session)


def errors_of(data: StayInput, establishment: Establishment) -> set[str]:
    with pytest.raises(DeclarationError) as caught:
        check_stay(data, establishment, utcnow())
    return set(caught.value.errors)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=VIETNAM)


def test_a_valid_citizen_passes_and_is_normalised(hotel: Establishment) -> None:
    data = stay_input(citizen(full_name="  Nguyễn   Thị Ánh ", document_number="0011 9001 2345"))
    checked = check_stay(data, hotel, utcnow())
    guest = checked.guests[0]
    assert guest.full_name == "Nguyễn Thị Ánh"
    assert guest.document_number == "001190012345"
    assert guest.residence_province_code == 1  # Hà Nội


def test_citizen_arriving_at_2301_is_due_at_8_next_morning(hotel: Establishment) -> None:
    yesterday = (utcnow() - dt.timedelta(days=1)).astimezone(VIETNAM).date()
    data = stay_input(arrival=at(yesterday, 23, 1), expected_departure=yesterday + dt.timedelta(2))
    guest = check_stay(data, hotel, utcnow()).guests[0]
    assert guest.deadline == at(yesterday + dt.timedelta(days=1), 8)


def test_foreigner_in_a_remote_commune_has_24_hours(db_session: Session) -> None:
    remote = make_establishment(
        db_session, province="Lào Cai", commune="Bắc Hà", remote_commune=True
    )
    data = stay_input(foreigner())
    guest = check_stay(data, remote, utcnow()).guests[0]
    assert guest.deadline == data.arrival + dt.timedelta(hours=24)


def test_three_arrive_together_and_a_fourth_late_each_with_own_deadline(
    hotel: Establishment,
) -> None:
    yesterday = (utcnow() - dt.timedelta(days=1)).astimezone(VIETNAM).date()
    child = citizen(
        full_name="Trần Bảo",
        birth_date=dt.date(2016, 5, 1),
        sex=Sex.M,
        document_type=DocumentType.NONE,
        document_number="",
        role=GuestRole.MEMBER,
        relationship="son",
    )
    late = citizen(
        full_name="Trần Văn Nam",
        birth_date=dt.date(1988, 1, 2),
        sex=Sex.M,
        document_number="001088123456",
        role=GuestRole.MEMBER,
        relationship="husband",
        arrival=at(yesterday, 23, 30),
    )
    data = stay_input(
        citizen(role=GuestRole.HEAD),
        dataclasses.replace(child, full_name="Trần An"),
        child,
        late,
        arrival=at(yesterday, 21),
        expected_departure=yesterday + dt.timedelta(days=2),
    )
    deadlines = [g.deadline for g in check_stay(data, hotel, utcnow()).guests]
    assert deadlines[:3] == [at(yesterday, 23)] * 3
    assert deadlines[3] == at(yesterday + dt.timedelta(days=1), 8)


def test_wrong_sex_digit_is_reported_on_sex(hotel: Establishment) -> None:
    assert errors_of(stay_input(citizen(sex=Sex.M)), hotel) == {"guests[0].sex"}


def test_unknown_card_province_code_is_reported_on_the_number(hotel: Establishment) -> None:
    data = stay_input(citizen(document_number="003190012345"))
    assert errors_of(data, hotel) == {"guests[0].document_number"}


def test_dates_must_be_in_order(hotel: Establishment) -> None:
    data = stay_input(expected_departure=(utcnow() - dt.timedelta(days=3)).date())
    assert "expected_departure" in errors_of(data, hotel)
    born_later = stay_input(citizen(birth_date=utcnow().date() + dt.timedelta(days=1)))
    assert "guests[0].birth_date" in errors_of(born_later, hotel)


def test_future_arrival_is_refused_but_past_is_accepted(hotel: Establishment) -> None:
    assert errors_of(stay_input(arrival=utcnow() + dt.timedelta(hours=3)), hotel) == {"arrival"}
    check_stay(stay_input(arrival=utcnow() - dt.timedelta(days=3)), hotel, utcnow())


def test_stay_over_30_days_is_flagged_not_refused(hotel: Establishment) -> None:
    data = stay_input(expected_departure=utcnow().date() + dt.timedelta(days=40))
    assert check_stay(data, hotel, utcnow()).long_stay
    assert not check_stay(stay_input(), hotel, utcnow()).long_stay


def test_unknown_room_is_refused(hotel: Establishment) -> None:
    assert errors_of(stay_input(room="999"), hotel) == {"room"}


def test_group_needs_one_head_and_members_with_relationship(hotel: Establishment) -> None:
    two_singles = stay_input(citizen(), citizen())
    assert {"guests", "guests[0].role", "guests[1].role"} <= errors_of(two_singles, hotel)
    no_relation = stay_input(citizen(role=GuestRole.HEAD), citizen(role=GuestRole.MEMBER))
    assert errors_of(no_relation, hotel) == {"guests[1].relationship"}


def test_only_a_child_in_a_family_may_have_no_document(hotel: Establishment) -> None:
    adult = citizen(
        document_type=DocumentType.NONE,
        document_number="",
        role=GuestRole.MEMBER,
        relationship="sister",
    )
    data = stay_input(citizen(role=GuestRole.HEAD), adult)
    assert errors_of(data, hotel) == {"guests[1].document_type"}


def test_vietnamese_resident_needs_a_province_that_exists(hotel: Establishment) -> None:
    assert errors_of(stay_input(citizen(residence_province="")), hotel) == {
        "guests[0].residence_province"
    }
    assert errors_of(stay_input(citizen(residence_province="Gotham")), hotel) == {
        "guests[0].residence_province"
    }
    old_name = stay_input(citizen(residence_province="yen bai"))
    assert check_stay(old_name, hotel, utcnow()).guests[0].residence_province_code == 15


def test_foreigner_needs_visa_entry_and_a_travel_document(hotel: Establishment) -> None:
    bare = stay_input(foreigner(foreigner=ForeignerInput()))
    assert errors_of(bare, hotel) == {
        "guests[0].foreigner.passport_type",
        "guests[0].foreigner.visa_type",
        "guests[0].foreigner.entry_date",
        "guests[0].foreigner.entry_port",
    }
    with_visa = ForeignerInput(visa_type=VisaType.VISA, entry_date=utcnow().date(), entry_port="x")
    assert "guests[0].foreigner.visa_number" in errors_of(
        stay_input(foreigner(foreigner=with_visa)), hotel
    )
    id_card = stay_input(foreigner(document_type=DocumentType.CCCD))
    assert "guests[0].document_type" in errors_of(id_card, hotel)


def test_expired_passport_is_refused(hotel: Establishment) -> None:
    data = stay_input(foreigner(document_expiry=utcnow().date() - dt.timedelta(days=30)))
    assert errors_of(data, hotel) == {"guests[0].document_expiry"}


def test_unknown_country_codes_are_refused(hotel: Establishment) -> None:
    data = stay_input(GuestInput(**{**dataclasses.asdict(citizen()), "nationality": "XYZ"}))
    assert "guests[0].nationality" in errors_of(data, hotel)
