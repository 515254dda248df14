import datetime as dt

from sqlalchemy import func, select

from core.auth import services as accounts
from core.clock import utcnow
from lodging.properties import geography
from lodging.properties.demo import DEMO_PLACES, OWNER_PASSWORD
from lodging.properties.models import Establishment, EstablishmentStatus, MemberRole, Membership
from lodging.registration.models import Guest, Stay, StayStatus
from lodging.registration.sealed import document_number
from tests.factories import TEST_CIPHER


def count(db_session, model):
    return db_session.scalar(select(func.count()).select_from(model))


def test_demo_load_twice_creates_the_places_once(app, db_session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    counts = [count(db_session, model) for model in (Establishment, Membership, Stay, Guest)]
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    assert [
        count(db_session, model) for model in (Establishment, Membership, Stay, Guest)
    ] == counts
    assert f"Demo establishments: {len(DEMO_PLACES)}" in second.output
    assert counts[0] == len(DEMO_PLACES) >= 6


def test_demo_places_are_approved_with_rooms_and_an_owner_who_can_sign_in(app, db_session):
    app.test_cli_runner().invoke(args=["demo", "load"])
    places = db_session.scalars(select(Establishment)).all()
    communes = {geography.commune(place.commune_code).name for place in places}
    assert {"Phường Bãi Cháy", "Phường Hạ Long", "Phường Tuần Châu", "Đặc khu Cô Tô"} <= communes
    assert {"Phường Sa Pa", "Xã Bắc Hà"} <= communes
    assert {place.kind.value for place in places} >= {"hotel", "homestay"}
    for place in places:
        assert place.status is EstablishmentStatus.APPROVED, place.name
        assert place.rooms, place.name
        owner_ids = db_session.scalars(
            select(Membership.user_id).where(
                Membership.establishment_id == place.id, Membership.role == MemberRole.OWNER
            )
        ).all()
        assert len(owner_ids) == 1, place.name
    assert accounts.authenticate(db_session, "owner.sapa@example.com", OWNER_PASSWORD) is not None


def test_the_first_hotel_has_guests_at_the_desk(app, db_session):
    app.test_cli_runner().invoke(args=["demo", "load"])
    hotel = db_session.scalar(
        select(Establishment).where(Establishment.name == DEMO_PLACES[0].place.name)
    )
    owner = accounts.find_user(db_session, "owner@example.com")
    staff = accounts.find_user(db_session, "staff@example.com")
    assert owner is not None
    assert staff is not None
    members = set(
        db_session.execute(
            select(Membership.user_id, Membership.role).where(
                Membership.establishment_id == hotel.id
            )
        ).all()
    )
    assert members == {(owner.id, MemberRole.OWNER), (staff.id, MemberRole.STAFF)}
    # Today's guests: last month's, which the official form's demo adds, left long ago.
    recent = utcnow() - dt.timedelta(days=5)
    stays = db_session.scalars(
        select(Stay).where(Stay.establishment_id == hotel.id, Stay.arrival > recent)
    ).all()
    assert sorted(stay.status for stay in stays) == sorted(
        [StayStatus.IN_HOUSE, StayStatus.IN_HOUSE, StayStatus.CHECKED_OUT]
    )
    nationalities = sorted(guest.nationality for stay in stays for guest in stay.guests)
    assert nationalities == ["DE", "DE", "VN", "VN", "VN", "VN"]
    # sealed with the app's key (the test app's is the factories' TEST_CIPHER)
    german = next(g for stay in stays for g in stay.guests if g.nationality == "DE")
    assert document_number(german, TEST_CIPHER) in {"C4F2KLM71", "C7NR3XW95"}
