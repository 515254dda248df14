"""Hotel software declares, reads, checks out, corrects and cancels stays over the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import event, func, select

from core.audit import AuditEntry
from core.auth.models import ApiToken
from core.auth.roles import Role
from core.auth.services import create_api_token
from core.clock import VIETNAM, utcnow
from lodging.registration import services
from lodging.registration.deadlines import GuestKind, reporting_deadline
from lodging.registration.models import Channel, Guest, Stay, StayEvent, StayStatus
from tests.factories import make_establishment, make_user, police_reports

PROBLEM = "application/problem+json"


def bearer(session, user, lang: str = "en") -> dict[str, str]:
    token = create_api_token(session, user, "PMS", utcnow())
    session.commit()
    return {"Authorization": f"Bearer {token}", "Accept-Language": lang}


def now_in_vietnam() -> dt.datetime:
    return utcnow().astimezone(VIETNAM).replace(microsecond=0)


def citizen_json(**overrides: Any) -> dict[str, Any]:
    return {
        "full_name": "Nguyễn Thị Ánh",
        "birth_date": "1990-03-14",
        "sex": "F",
        "nationality": "VN",
        "residence_country": "VN",
        "residence_province": "Ha Noi",
        "document_type": "cccd",
        "document_number": "001190012345",
    } | overrides


def foreigner_json(**overrides: Any) -> dict[str, Any]:
    entry = (now_in_vietnam() - dt.timedelta(days=2)).date().isoformat()
    return {
        "full_name": "KIM MIN-JUN",
        "birth_date": "1985-07-02",
        "sex": "M",
        "nationality": "KOR",
        "residence_country": "KR",
        "document_type": "passport",
        "document_number": "M12345678",
        "document_expiry": "2031-01-01",
        "foreigner": {
            "passport_type": "ordinary",
            "visa_type": "exempt",
            "entry_date": entry,
            "entry_port": "Nội Bài",
            "entry_purpose": "tourism",
        },
    } | overrides


def stay_json(*guests: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """A stay in room 101 arriving now (a citizen's deadline is then always ahead)."""
    arrival = now_in_vietnam()
    return {
        "room": "101",
        "arrival": arrival.isoformat(),
        "expected_departure": (arrival + dt.timedelta(days=2)).date().isoformat(),
        "purpose": "tourism",
        "guests": list(guests) or [citizen_json()],
    } | overrides


@pytest.fixture
def auth(db_session, owner):
    return bearer(db_session, owner)


def declare(client, hotel, auth, body=None, **headers):
    return client.post(
        f"/api/v1/establishments/{hotel.id}/stays", json=body or stay_json(), headers=auth | headers
    )


def count(session, model) -> int:
    return int(session.scalar(select(func.count()).select_from(model)))


def test_citizen_declared_by_hotel_software_is_stored_with_her_deadline(
    client, db_session, hotel, owner, auth
):
    body = stay_json()
    response = declare(client, hotel, auth, body)
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    assert response.headers["Location"] == f"/api/v1/stays/{answer['id']}"
    guest = answer["guests"][0]
    arrival = dt.datetime.fromisoformat(body["arrival"])
    assert guest["deadline"] == reporting_deadline(arrival, GuestKind.CITIZEN).isoformat()
    assert guest["deadline"].endswith("+07:00")
    assert (guest["report_status"], guest["overdue"], answer["long_stay"]) == (
        "queued",
        False,
        False,
    )
    stay = db_session.get(Stay, answer["id"])
    assert (stay.channel, stay.created_by_id) == (Channel.API, owner.id)
    assert stay.guests[0].residence_province_code == 1  # "Ha Noi", written without diacritics
    assert stay.events[0].actor_label == f"api:{owner.email}"


def test_family_with_a_foreigner_gets_each_guest_its_own_deadline(client, db_session, hotel, auth):
    body = stay_json(
        citizen_json(role="head"), foreigner_json(role="member", relationship="husband")
    )
    response = declare(client, hotel, auth, body)
    assert response.status_code == 201, response.get_json()
    vietnamese, korean = response.get_json()["guests"]
    arrival = dt.datetime.fromisoformat(body["arrival"])
    assert korean["deadline"] == (arrival + dt.timedelta(hours=12)).isoformat()
    assert vietnamese["deadline"] != korean["deadline"]
    stored = db_session.get(Guest, korean["id"])
    assert (stored.nationality, stored.relationship_to_head) == ("KR", "husband")


def _without_visa() -> dict[str, Any]:
    guest = foreigner_json()
    del guest["foreigner"]["visa_type"]
    return stay_json(guest)


@pytest.mark.parametrize(
    "case",
    [
        (
            stay_json(citizen_json(birth_date="1991-03-14")),
            "guests[0].birth_date",
            "birth",
        ),
        (_without_visa(), "guests[0].foreigner.visa_type", "visa"),
        (stay_json(room="999"), "room", "This establishment has no room 999."),
        (
            stay_json(citizen_json(residence_province="Gotham")),
            "guests[0].residence_province",
            "No province has this name.",
        ),
        (
            stay_json(arrival="2026-05-01T14:30:00"),
            "arrival",
            "Give the time with its UTC offset, such as +07:00.",
        ),
        (stay_json(citizen_json(sex="X")), "guests[0].sex", "Choose one of"),
    ],
    ids=["cccd-year", "missing-visa", "unknown-room", "unknown-province", "naive-time", "sex"],
)
def test_each_mistake_is_reported_on_its_field_and_nothing_is_stored(
    client, db_session, hotel, auth, case
):
    body, path, message = case
    response = declare(client, hotel, auth, body)
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    errors = response.get_json()["errors"]
    assert list(errors) == [path]
    assert message in errors[path]
    assert count(db_session, Stay) == 0


def test_messages_are_in_the_language_the_client_asks_for(client, db_session, hotel, owner):
    auth = bearer(db_session, owner, lang="vi")
    response = declare(client, hotel, auth, stay_json(arrival="2026-05-01T14:30:00"))
    assert response.get_json()["errors"]["arrival"].startswith("Vui lòng")


def test_retry_with_the_same_key_returns_the_same_stay(client, db_session, hotel, auth):
    body = stay_json()
    first = declare(client, hotel, auth, body, **{"Idempotency-Key": "pms-42"})
    again = declare(client, hotel, auth, body, **{"Idempotency-Key": "pms-42"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert count(db_session, Stay) == 1
    assert len(police_reports(db_session)) == 1


def test_a_key_reused_for_another_declaration_is_refused(client, db_session, hotel, auth):
    declare(client, hotel, auth, stay_json(), **{"Idempotency-Key": "pms-42"})
    other = stay_json(citizen_json(full_name="Trần Văn Bình", sex="M", document_number=""))
    response = declare(client, hotel, auth, other, **{"Idempotency-Key": "pms-42"})
    assert response.status_code == 422
    assert "different declaration" in response.get_json()["errors"]["Idempotency-Key"]
    assert count(db_session, Stay) == 1


def test_two_racing_requests_with_one_key_store_one_stay(
    client, db_session, hotel, auth, monkeypatch
):
    """The other request commits between this one's look-up and its insert."""
    real = services.declare_stay
    calls = []

    def racing(session, establishment, data, **kwargs):
        calls.append(kwargs["idempotency_key"])
        if len(calls) > 1:
            return real(session, establishment, data, **kwargs)
        real(session, establishment, data, **kwargs)  # the other request's stay
        session.commit()
        ours, _created = real(session, establishment, data, **(kwargs | {"idempotency_key": None}))
        ours.idempotency_key = kwargs["idempotency_key"]
        session.flush()  # the unique constraint refuses the second copy
        raise AssertionError("the database accepted two stays with one key")

    monkeypatch.setattr(services, "declare_stay", racing)
    response = declare(client, hotel, auth, stay_json(), **{"Idempotency-Key": "pms-7"})
    assert response.status_code == 200, response.get_json()
    assert calls == ["pms-7", "pms-7"]
    assert db_session.scalars(select(Stay.id)).all() == [response.get_json()["id"]]


def test_late_declaration_is_accepted_and_marked_overdue(client, db_session, hotel, auth):
    arrival = now_in_vietnam() - dt.timedelta(days=3)
    response = declare(client, hotel, auth, stay_json(arrival=arrival.isoformat()))
    assert response.status_code == 201
    guest = response.get_json()["guests"][0]
    assert guest["overdue"] is True
    assert dt.datetime.fromisoformat(guest["deadline"]) < utcnow()


def test_reading_a_stay_shows_the_guests_and_is_audited(client, db_session, hotel, owner, auth):
    stay_id = declare(client, hotel, auth).get_json()["id"]
    response = client.get(f"/api/v1/stays/{stay_id}", headers=auth)
    assert response.status_code == 200
    guest = response.get_json()["guests"][0]
    assert guest["full_name"] == "Nguyễn Thị Ánh"
    assert guest["document_number"] == "001190012345"
    assert (guest["residence_province"], guest["report_status"]) == ("Hà Nội", "queued")
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "guest.view"))
    assert entry is not None
    assert (entry.actor_id, entry.target_id, entry.address) == (
        owner.id,
        str(stay_id),
        "127.0.0.1",
    )


def test_checkout_ends_the_stay_and_keeps_history(client, db_session, hotel, auth):
    stay_id = declare(client, hotel, auth).get_json()["id"]
    departure = {"departure": now_in_vietnam().isoformat()}
    response = client.post(f"/api/v1/stays/{stay_id}/checkout", json=departure, headers=auth)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "checked_out"
    events = select(StayEvent.kind).where(StayEvent.stay_id == stay_id).order_by(StayEvent.id)
    assert db_session.scalars(events).all() == ["declare", "early_departure"]
    again = client.post(f"/api/v1/stays/{stay_id}/checkout", json=departure, headers=auth)
    assert again.status_code == 409
    assert again.get_json()["errors"] == {"status": "These guests have already checked out."}


def test_checkout_before_the_arrival_is_refused_on_the_departure(client, db_session, hotel, auth):
    stay_id = declare(client, hotel, auth).get_json()["id"]
    departure = {"departure": (now_in_vietnam() - dt.timedelta(days=1)).isoformat()}
    response = client.post(f"/api/v1/stays/{stay_id}/checkout", json=departure, headers=auth)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["departure"]
    assert db_session.get(Stay, stay_id).status is StayStatus.IN_HOUSE


def test_correction_changes_only_what_is_sent_and_keeps_history(client, db_session, hotel, auth):
    stay_id = declare(client, hotel, auth).get_json()["id"]
    patch = {"guests": [{"full_name": "Nguyễn Thị Ánh Hồng"}], "room": "102"}
    response = client.patch(f"/api/v1/stays/{stay_id}", json=patch, headers=auth)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["room"] == "102"
    stay = db_session.get(Stay, stay_id)
    assert stay.guests[0].full_name == "Nguyễn Thị Ánh Hồng"
    assert stay.guests[0].birth_date == dt.date(1990, 3, 14)
    correction = stay.events[-1]
    assert correction.kind == "correction"
    assert correction.before["room"] == "101"


def test_correction_adds_a_guest_who_arrived_later(client, db_session, hotel, auth):
    stay_id = declare(client, hotel, auth).get_json()["id"]
    late = foreigner_json(
        role="member", relationship="husband", arrival=now_in_vietnam().isoformat()
    )
    patch = {"guests": [{"role": "head"}, late]}
    response = client.patch(f"/api/v1/stays/{stay_id}", json=patch, headers=auth)
    assert response.status_code == 200, response.get_json()
    assert len(response.get_json()["guests"]) == 2
    assert [g.nationality for g in db_session.get(Stay, stay_id).guests] == ["VN", "KR"]


def test_an_added_guest_needs_every_field(client, db_session, hotel, auth):
    stay_id = declare(client, hotel, auth).get_json()["id"]
    patch = {"guests": [{}, {"full_name": "Lê Văn Cường"}]}
    response = client.patch(f"/api/v1/stays/{stay_id}", json=patch, headers=auth)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert errors["guests[1].birth_date"] == "This field is required."
    assert len(db_session.get(Stay, stay_id).guests) == 1


def test_cancelled_declaration_cannot_be_checked_out(client, db_session, hotel, auth):
    stay_id = declare(client, hotel, auth).get_json()["id"]
    url = f"/api/v1/stays/{stay_id}"
    response = client.post(f"{url}/cancel", json={"reason": "Wrong hotel"}, headers=auth)
    assert response.get_json()["status"] == "cancelled"
    departure = {"departure": now_in_vietnam().isoformat()}
    assert client.post(f"{url}/checkout", json=departure, headers=auth).status_code == 409
    assert client.patch(url, json={"room": "102"}, headers=auth).status_code == 409
    assert db_session.get(Stay, stay_id).events[-1].kind == "cancel"


def test_another_establishments_owner_finds_nothing_and_changes_nothing(
    client, db_session, hotel, auth
):
    stay_id = declare(client, hotel, auth).get_json()["id"]
    intruder = make_user(db_session, Role.LODGING_OWNER)
    make_establishment(db_session, owner=intruder)
    before = [count(db_session, model) for model in (Stay, StayEvent, Guest, AuditEntry)]
    headers = bearer(db_session, intruder)
    now = now_in_vietnam().isoformat()
    calls = [
        ("POST", f"/api/v1/establishments/{hotel.id}/stays", stay_json()),
        ("GET", f"/api/v1/stays/{stay_id}", None),
        ("POST", f"/api/v1/stays/{stay_id}/checkout", {"departure": now}),
        ("PATCH", f"/api/v1/stays/{stay_id}", {"guests": [{"full_name": "X"}]}),
        ("POST", f"/api/v1/stays/{stay_id}/cancel", {"reason": "mine now"}),
    ]
    for method, url, body in calls:
        response = client.open(url, method=method, json=body, headers=headers)
        assert response.status_code == 404, (method, url)
        assert response.mimetype == PROBLEM
        assert "Ánh" not in response.get_data(as_text=True)
    after = [count(db_session, model) for model in (Stay, StayEvent, Guest, AuditEntry)]
    assert after == before
    stay = db_session.get(Stay, stay_id)
    assert (stay.status, stay.guests[0].full_name) == (StayStatus.IN_HOUSE, "Nguyễn Thị Ánh")


@pytest.mark.parametrize("role", [Role.TOURIST, Role.POLICE, Role.TOURISM_OFFICER])
def test_only_lodging_people_may_declare(client, db_session, hotel, role):
    response = declare(client, hotel, bearer(db_session, make_user(db_session, role)))
    assert response.status_code == 403
    assert count(db_session, Stay) == 0


def test_openapi_document_lists_the_stay_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths["/api/v1/establishments/{id}/stays"]) == {"post"}
    assert set(paths["/api/v1/stays/{id}"]) == {"get", "patch"}
    assert "post" in paths["/api/v1/stays/{id}/checkout"]
    assert "post" in paths["/api/v1/stays/{id}/cancel"]
    declare_doc = paths["/api/v1/establishments/{id}/stays"]["post"]
    assert "Idempotency-Key" in [p["name"] for p in declare_doc["parameters"]]


def test_a_declaration_is_one_commit_and_decrypts_nothing_it_sealed(
    client, db_session, hotel, auth, monkeypatch
):
    commits: list[int] = []
    event.listen(db_session, "after_commit", lambda _session: commits.append(1))
    cipher = client.application.extensions["personal_data_cipher"]
    decrypted: list[str] = []

    def decrypt(*_args: Any, **_kwargs: Any) -> str:
        decrypted.append("decrypted")
        return ""

    monkeypatch.setattr(cipher, "decrypt", decrypt)
    body = stay_json(
        citizen_json(role="head"), foreigner_json(role="member", relationship="husband")
    )
    response = declare(client, hotel, auth, body)
    assert response.status_code == 201, response.get_json()
    assert len(commits) == 1, "the token's last use rides on the declaration's commit"
    assert decrypted == [], "the history's hash of the visa details comes from the clear text"
    token = db_session.scalar(select(ApiToken).where(ApiToken.name == "PMS"))
    assert token.last_used_at is not None
    snapshot = db_session.get(Stay, response.get_json()["id"]).events[0].after["guests"][1]
    assert len(snapshot["foreign_details"] or "") == 12
