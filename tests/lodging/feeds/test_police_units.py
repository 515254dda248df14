"""The police units' e-mail addresses: the service, the routing it feeds, the page and the CLI."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit import AuditEntry
from core.auth.roles import Role
from core.clock import utcnow
from lodging.feeds.police_units import PoliceUnit, PoliceUnitError, set_unit_email, unit_email
from lodging.feeds.routing import Route, route_for
from lodging.properties.models import EstablishmentKind
from lodging.registration.reports import FeedChannel
from tests.factories import csrf_token, log_in, make_establishment, make_user

QUANG_NINH, BAI_CHAY, BA_DINH = 22, 6673, 4
PAGE = "/en/admin/police-units/"


def set_email(session: Session, commune: int | None, email: str | None) -> PoliceUnit:
    return set_unit_email(
        session,
        province_code=QUANG_NINH,
        commune_code=commune,
        email=email,
        actor_label="admin@example.com",
        now=utcnow(),
    )


def test_a_units_address_is_set_changed_and_cleared_with_one_row_per_unit(
    db_session: Session,
) -> None:
    set_email(db_session, BAI_CHAY, " CongAn.BaiChay@Example.gov.vn ")
    set_email(db_session, None, "pa08@example.gov.vn")
    assert unit_email(db_session, QUANG_NINH, BAI_CHAY) == "congan.baichay@example.gov.vn"
    assert unit_email(db_session, QUANG_NINH, None) == "pa08@example.gov.vn"
    set_email(db_session, None, "xnc@example.gov.vn")
    set_email(db_session, BAI_CHAY, "")
    assert unit_email(db_session, QUANG_NINH, BAI_CHAY) is None
    assert unit_email(db_session, QUANG_NINH, None) == "xnc@example.gov.vn"
    assert len(db_session.scalars(select(PoliceUnit)).all()) == 2


@pytest.mark.parametrize(
    ("province", "commune", "email", "field"),
    [
        (QUANG_NINH, BAI_CHAY, "not an address", "email"),
        (QUANG_NINH, BAI_CHAY, "a@" + "b" * 260 + ".vn", "email"),
        (999, None, "a@example.gov.vn", "province_code"),
        (QUANG_NINH, 999999, "a@example.gov.vn", "commune_code"),
        (QUANG_NINH, BA_DINH, "a@example.gov.vn", "commune_code"),  # Ba Đình is in Hà Nội
    ],
)
def test_an_unknown_unit_or_a_bad_address_is_refused_on_its_field(
    db_session: Session, province: int, commune: int | None, email: str, field: str
) -> None:
    with pytest.raises(PoliceUnitError) as refused:
        set_unit_email(
            db_session,
            province_code=province,
            commune_code=commune,
            email=email,
            actor_label="t",
            now=utcnow(),
        )
    assert refused.value.field == field
    assert db_session.scalars(select(PoliceUnit)).all() == []


def test_https_wins_then_email_where_allowed_then_the_file_drop(db_session: Session) -> None:
    hotel = make_establishment(db_session)
    homestay = make_establishment(db_session, kind=EstablishmentKind.HOMESTAY, stars=None)
    citizens, foreigners = FeedChannel.CITIZENS, FeedChannel.FOREIGNERS
    assert route_for(db_session, hotel, citizens, https=False, email=True) == (
        Route.FILE_DROP,
        None,
    )
    set_email(db_session, BAI_CHAY, "ca@example.gov.vn")
    set_email(db_session, None, "xnc@example.gov.vn")
    assert route_for(db_session, hotel, citizens, https=False, email=True) == (
        Route.EMAIL,
        "ca@example.gov.vn",
    )
    assert route_for(db_session, hotel, citizens, https=True, email=True) == (Route.HTTPS, None)
    assert route_for(db_session, hotel, citizens, https=False, email=False)[0] is Route.FILE_DROP
    # Law 47/2014 art. 33(3): only establishments other than hotels e-mail foreigners.
    assert route_for(db_session, hotel, foreigners, https=False, email=True)[0] is Route.FILE_DROP
    assert route_for(db_session, homestay, foreigners, https=False, email=True) == (
        Route.EMAIL,
        "ca@example.gov.vn",
    )
    set_email(db_session, BAI_CHAY, None)
    assert route_for(db_session, homestay, foreigners, https=False, email=True) == (
        Route.EMAIL,
        "xnc@example.gov.vn",
    )
    # The province's own unit is not the citizens' registration office.
    assert route_for(db_session, homestay, citizens, https=False, email=True)[0] is Route.FILE_DROP


def test_an_admin_sets_an_address_on_the_page_and_it_is_audited(
    client: FlaskClient, db_session: Session
) -> None:
    admin = make_user(db_session, Role.ADMIN)
    log_in(client, admin.email)
    token = csrf_token(client, PAGE)
    form = {"province_code": QUANG_NINH, "commune_code": BAI_CHAY, "email": "ca@example.gov.vn"}
    response = client.post(PAGE, data={**form, "csrf_token": token})
    assert response.status_code == 302
    assert unit_email(db_session, QUANG_NINH, BAI_CHAY) == "ca@example.gov.vn"
    page = client.get(PAGE).get_data(as_text=True)
    assert "Phường Bãi Cháy, Quảng Ninh" in page
    assert "ca@example.gov.vn" in page
    entry = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "police_unit.set_email")
    ).one()
    assert (entry.actor_label, entry.detail["email"]) == (admin.email, "ca@example.gov.vn")


@pytest.mark.parametrize(
    ("lang", "entry", "message"),
    [
        ("en", (str(BAI_CHAY), "ca@"), "e-mail address, such as conganxa@example.gov.vn"),
        ("vi", (str(BAI_CHAY), "ca@"), "Nhập địa chỉ thư điện tử của đơn vị"),
        ("en", ("12ab", "ca@example.gov.vn"), "code as digits, or leave it empty"),
        ("vi", (str(BA_DINH), "ca@example.gov.vn"), "Xã, phường này không thuộc tỉnh đó."),
    ],
)
def test_a_bad_entry_is_shown_on_its_field_in_the_users_language_and_kept(
    client: FlaskClient, db_session: Session, lang: str, entry: tuple[str, str], message: str
) -> None:
    commune, email = entry
    admin = make_user(db_session, Role.ADMIN)
    log_in(client, admin.email, lang=lang)
    page = f"/{lang}/admin/police-units/"
    form = {"province_code": QUANG_NINH, "commune_code": commune, "email": email}
    response = client.post(page, data={**form, "csrf_token": csrf_token(client, page)})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert message in text
    assert f'value="{email}"' in text
    assert f'value="{commune}"' in text
    assert db_session.scalars(select(PoliceUnit)).all() == []


@pytest.mark.parametrize("role", [Role.LODGING_OWNER, Role.POLICE])
def test_only_admins_see_the_page(client: FlaskClient, db_session: Session, role: Role) -> None:
    user = make_user(db_session, role)
    log_in(client, user.email)
    assert client.get(PAGE).status_code == 403


def test_the_cli_sets_and_clears_a_units_address(app: Flask, db_session: Session) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["feeds", "unit-email", "22", "-", "XNC@example.gov.vn"])
    assert result.exit_code == 0, result.output
    assert "police unit 22: xnc@example.gov.vn" in result.output
    assert unit_email(db_session, QUANG_NINH, None) == "xnc@example.gov.vn"
    refused = runner.invoke(args=["feeds", "unit-email", "22", str(BA_DINH), "a@example.gov.vn"])
    assert refused.exit_code == 2
    # The CLI speaks the portal's default language.
    assert "COMMUNE: Xã, phường này không thuộc tỉnh đó." in refused.output
    cleared = runner.invoke(args=["feeds", "unit-email", "22", "-", "-"])
    assert cleared.exit_code == 0
    assert unit_email(db_session, QUANG_NINH, None) is None
