import datetime as dt

import pytest
from sqlalchemy import select

from core.audit import AuditEntry
from core.auth.roles import Role
from lodging.properties.models import Closure, Room, RoomType
from tests.factories import log_in, make_establishment, make_user
from tests.lodging.properties.pages import send


@pytest.fixture
def place(db_session, owner):
    return make_establishment(db_session, owner=owner, rooms=())


def mine(place, page=""):
    return f"/en/my/establishments/{place.id}/{page}"


def add_room_type(client, place, **fields):
    data = {"type-name": "Double", "type-bed_places": "2", "type-extra_beds": "1"} | fields
    return send(
        client, mine(place, "rooms/types"), data, token_from=mine(place, "rooms"), prefix="type"
    )


def add_rooms(client, place, room_type, numbers):
    data = {"rooms-room_type": str(room_type.id), "rooms-numbers": numbers}
    return send(
        client, mine(place, "rooms/new"), data, token_from=mine(place, "rooms"), prefix="rooms"
    )


def test_owner_sees_their_establishments(client, db_session, owner, place):
    other = make_establishment(db_session)
    log_in(client, owner.email)
    page = client.get("/en/my/establishments/").get_data(as_text=True)
    assert place.name in page
    assert other.name not in page


def test_owner_adds_a_room_type_and_a_range_of_rooms(client, db_session, owner, place):
    log_in(client, owner.email)
    assert add_room_type(client, place).status_code == 302
    double = db_session.scalar(select(RoomType).where(RoomType.establishment_id == place.id))
    assert (double.name, double.bed_places, double.extra_beds) == ("Double", 2, 1)
    response = add_rooms(client, place, double, "101-105, 201")
    assert response.status_code == 302
    numbers = db_session.scalars(
        select(Room.number).where(Room.establishment_id == place.id).order_by(Room.number)
    ).all()
    assert numbers == ["101", "102", "103", "104", "105", "201"]
    page = client.get(mine(place, "rooms")).get_data(as_text=True)
    assert "101, 102, 103, 104, 105, 201" in page
    overview = client.get(mine(place)).get_data(as_text=True)
    # 6 rooms, 12 bed places, 6 extra beds counted apart
    assert "<dt>Rooms</dt><dd>6</dd>" in overview
    assert "<dt>Bed places</dt><dd>12</dd>" in overview
    assert "<dt>Extra beds</dt><dd>6</dd>" in overview
    poster = f"/en/desk/{place.id}/poster"
    assert f'href="{poster}"' in overview
    assert client.get(poster).status_code == 200
    actions = set(
        db_session.scalars(select(AuditEntry.action).where(AuditEntry.actor_id == owner.id))
    )
    assert {"room_type.add", "rooms.add"} <= actions


def test_taken_room_numbers_are_named_and_the_input_kept(client, db_session, owner):
    place = make_establishment(db_session, owner=owner, rooms=("101", "102"))
    log_in(client, owner.email)
    double = place.room_types[0]
    response = add_rooms(client, place, double, "102, 103")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "These room numbers are taken: 102" in page
    assert 'value="102, 103"' in page
    assert db_session.scalar(select(Room).where(Room.number == "103")) is None


def test_a_backwards_range_is_refused(client, db_session, owner):
    place = make_establishment(db_session, owner=owner, rooms=("101",))
    log_in(client, owner.email)
    page = add_rooms(client, place, place.room_types[0], "110-101").get_data(as_text=True)
    assert "A range goes from the lower number to the higher: 110-101" in page


def test_a_room_type_needs_a_bed_place(client, db_session, owner, place):
    log_in(client, owner.email)
    page = add_room_type(client, place, **{"type-bed_places": "0"}).get_data(as_text=True)
    assert "Enter 1 to 50 bed places." in page
    assert 'value="Double"' in page
    assert db_session.scalar(select(RoomType).where(RoomType.establishment_id == place.id)) is None


def test_closures_of_a_room_and_of_the_whole_place(client, db_session, owner):
    place = make_establishment(db_session, owner=owner, rooms=("101", "102"))
    room = place.rooms[1]
    log_in(client, owner.email)
    path = mine(place, "closures")
    whole = {"room": "", "starts_on": "2026-07-01", "ends_on": "2026-07-05", "reason": "Bão"}
    assert send(client, path, whole).status_code == 302
    one = {"room": str(room.id), "starts_on": "2026-08-10", "ends_on": "2026-08-20", "reason": ""}
    assert send(client, path, one).status_code == 302
    closures = db_session.scalars(
        select(Closure).where(Closure.establishment_id == place.id).order_by(Closure.starts_on)
    ).all()
    assert [(c.room_id, c.starts_on, c.ends_on) for c in closures] == [
        (None, dt.date(2026, 7, 1), dt.date(2026, 7, 5)),
        (room.id, dt.date(2026, 8, 10), dt.date(2026, 8, 20)),
    ]
    page = client.get(path).get_data(as_text=True)
    assert "The whole establishment" in page
    assert "Room 102" in page
    assert "Bão" in page


def test_a_closure_ending_before_it_starts_is_refused(client, db_session, owner, place):
    log_in(client, owner.email)
    data = {"room": "", "starts_on": "2026-07-05", "ends_on": "2026-07-01", "reason": "x"}
    response = send(client, mine(place, "closures"), data)
    assert response.status_code == 200
    assert "The closure must end after it starts." in response.get_data(as_text=True)
    assert db_session.scalar(select(Closure)) is None


def test_staff_manage_rooms_too(client, db_session, owner, place):
    staff = make_user(db_session, Role.LODGING_STAFF)
    place = make_establishment(db_session, owner=owner, staff=(staff,), rooms=())
    log_in(client, staff.email)
    assert add_room_type(client, place).status_code == 302


def test_another_owner_gets_404_on_every_page(client, db_session, owner):
    place = make_establishment(db_session, owner=owner, rooms=("101",))
    closure_room = place.rooms[0]
    stranger = make_user(db_session, Role.LODGING_OWNER)
    make_establishment(db_session, owner=stranger)
    log_in(client, stranger.email)
    for page in ("", "rooms", "closures", "staff"):
        assert client.get(mine(place, page)).status_code == 404, page
    posts = {
        "rooms/types": {"type-name": "Suite", "type-bed_places": "2", "type-extra_beds": "0"},
        "rooms/new": {"rooms-room_type": str(place.room_types[0].id), "rooms-numbers": "999"},
        "closures": {
            "room": str(closure_room.id),
            "starts_on": "2026-07-01",
            "ends_on": "2026-07-02",
        },
        "staff": {"email": "spy@example.com"},
    }
    for page, data in posts.items():
        response = send(client, mine(place, page), data, token_from="/en/my/establishments/")
        assert response.status_code == 404, page
        assert place.name not in response.get_data(as_text=True)
    assert db_session.scalar(select(Room).where(Room.number == "999")) is None
    assert db_session.scalar(select(Closure)) is None


@pytest.mark.parametrize("role", [Role.TOURIST, Role.POLICE, Role.TOURISM_OFFICER])
def test_people_who_do_not_run_lodgings_get_403(client, db_session, owner, place, role):
    user = make_user(db_session, role)
    log_in(client, user.email)
    for page in ("/en/my/establishments/", mine(place), mine(place, "rooms"), mine(place, "staff")):
        assert client.get(page).status_code == 403, page
