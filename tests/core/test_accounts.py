import datetime as dt

import pytest
from sqlalchemy import select, update

from core.auth import services
from core.auth.models import LoginSession, User
from core.auth.roles import Role
from core.clock import utcnow
from tests.factories import PASSWORD, csrf_token, log_in, make_user


def register(client, lang="en", **fields):
    data = {
        "full_name": "Nguyễn Thị Ánh",
        "email": "anh@example.com",
        "password": "Cat-Ba-Island-77",
        "confirm": "Cat-Ba-Island-77",
    } | fields
    data["csrf_token"] = csrf_token(client, f"/{lang}/register")
    return client.post(f"/{lang}/register", data=data)


def test_tourist_registers_and_is_signed_in(client, db_session):
    response = register(client)
    assert response.status_code == 302
    user = db_session.scalar(select(User).where(User.email == "anh@example.com"))
    assert user is not None
    assert user.role is Role.TOURIST
    assert user.password_hash.startswith("$argon2id$")
    assert "anh@example.com" in client.get("/en/account").get_data(as_text=True)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1!", "Use at least 8 characters."),
        ("p" * 129, "Use at most 128 characters."),
        ("password123", "This password is too common."),
        ("iloveyou", "This password is too common."),
        ("matkhau123", "This password is too common."),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(client, password, message):
    response = register(client, password=password, confirm=password)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert 'value="Nguyễn Thị Ánh"' in page  # what was entered is kept
    assert 'value="anh@example.com"' in page


def test_a_64_character_passphrase_is_accepted(client, db_session):
    passphrase = "cầu thang đá lên đỉnh Fansipan mất ba giờ, rất đáng công leo 2026"[:64]
    assert len(passphrase) == 64
    assert register(client, password=passphrase, confirm=passphrase).status_code == 302


def test_registering_twice_with_one_address_is_refused(client, db_session):
    make_user(db_session, email="anh@example.com")
    page = register(client).get_data(as_text=True)
    assert "An account with this e-mail address already exists." in page


def test_wrong_password_says_so_without_revealing_which_part(client, db_session):
    user = make_user(db_session)
    for email in (user.email, "nobody@example.com"):
        token = csrf_token(client, "/en/login")
        response = client.post(
            "/en/login", data={"email": email, "password": "wrong-pass-1", "csrf_token": token}
        )
        assert "Wrong e-mail address or password." in response.get_data(as_text=True)


def test_login_form_without_csrf_token_is_refused(client, db_session):
    user = make_user(db_session)
    response = client.post("/en/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "This form expired" in response.get_data(as_text=True)


def failed_login(client, email, address):
    token = csrf_token(client, "/en/login")
    return client.post(
        "/en/login",
        data={"email": email, "password": "not-the-password", "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


def test_failed_logins_are_throttled_per_account_across_addresses(client, db_session):
    user = make_user(db_session)
    for n in range(5):
        assert failed_login(client, user.email, f"10.0.0.{n}").status_code == 200
    response = failed_login(client, user.email, "10.0.0.99")
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    # other accounts are not locked out by it
    assert failed_login(client, "someone-else@example.com", "10.0.0.99").status_code == 200


def test_failed_logins_are_throttled_per_address_across_accounts(client):
    for n in range(20):
        assert failed_login(client, f"guess{n}@example.com", "10.9.9.9").status_code == 200
    assert failed_login(client, "guess-last@example.com", "10.9.9.9").status_code == 429


def test_successful_logins_are_not_counted_against_the_account(client, db_session):
    user = make_user(db_session)
    for _ in range(7):
        log_in(client, user.email)


def test_login_starts_a_new_session(client, db_session):
    user = make_user(db_session)
    client.get("/en/login")
    before = client.get_cookie("session")
    log_in(client, user.email)
    after = client.get_cookie("session")
    assert after is not None
    assert before is None or before.value != after.value
    assert after.http_only
    assert after.same_site == "Lax"
    log_in(client, user.email)
    sessions = db_session.scalars(select(LoginSession).where(LoginSession.user_id == user.id))
    assert len({s.token_hash for s in sessions}) == 2


def test_logout_ends_the_session_even_for_a_copied_cookie(client, app, db_session):
    user = make_user(db_session)
    log_in(client, user.email)
    stolen = client.get_cookie("session").value
    token = csrf_token(client, "/en/account")
    assert client.post("/en/logout", data={"csrf_token": token}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/en/account")
    assert response.status_code == 302
    assert "/en/login" in response.headers["Location"]


def idle(db_session, user, minutes):
    db_session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id)
        .values(last_seen_at=utcnow() - dt.timedelta(minutes=minutes))
    )
    db_session.commit()


@pytest.mark.parametrize("role", [Role.POLICE, Role.TOURISM_OFFICER, Role.ADMIN])
def test_officials_are_signed_out_after_30_idle_minutes(client, db_session, role):
    user = make_user(db_session, role)
    log_in(client, user.email)
    idle(db_session, user, 29)
    assert client.get("/en/account").status_code == 200
    idle(db_session, user, 31)
    assert client.get("/en/account").status_code == 302


def test_tourists_stay_signed_in_after_an_idle_hour(client, db_session):
    user = make_user(db_session)
    log_in(client, user.email)
    idle(db_session, user, 60)
    assert client.get("/en/account").status_code == 200


def test_police_accounts_need_their_jurisdiction(db_session):
    with pytest.raises(services.AccountError) as error:
        services.create_user(
            db_session, email="cs@example.com", password=PASSWORD, role=Role.POLICE, now=utcnow()
        )
    assert error.value.field == "police_province"


def test_next_parameter_never_leaves_the_site(client, db_session):
    user = make_user(db_session)
    token = csrf_token(client, "/en/login")
    response = client.post(
        "/en/login?next=//evil.example.com/",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/en/account"


def create_police_account_as_admin(client, db_session, **fields):
    admin = make_user(db_session, Role.ADMIN)
    log_in(client, admin.email)
    data = {
        "role": "police",
        "full_name": "Phạm Quốc Bảo",
        "email": "bao.pq@example.com",
        "password": "Yen-Tu-Pagoda-1413",
        "csrf_token": csrf_token(client, "/en/admin/users/new"),
    } | fields
    return client.post("/en/admin/users/new", data=data)


def test_admin_creates_a_police_account_with_its_unit(client, db_session):
    response = create_police_account_as_admin(
        client,
        db_session,
        police_province="quang ninh",
        police_commune="Phường Bãi Cháy",
    )
    assert response.status_code == 302
    created = db_session.scalar(select(User).where(User.email == "bao.pq@example.com"))
    assert created.role is Role.POLICE
    assert (created.police_province_code, created.police_commune_code) == (22, 6673)


def test_admin_form_refuses_a_police_account_without_unit(client, db_session):
    response = create_police_account_as_admin(client, db_session)
    assert response.status_code == 200
    assert "needs the province of its police unit" in response.get_data(as_text=True)


def test_an_invalid_email_is_reported_with_the_other_mistakes(client):
    page = register(client, email="not-an-address", full_name="").get_data(as_text=True)
    assert "Enter a valid e-mail address." in page
    assert "Enter your name." in page


@pytest.mark.parametrize(
    ("role", "link"),
    [
        (Role.LODGING_OWNER, "/en/desk/"),
        (Role.LODGING_STAFF, "/en/desk/"),
        (Role.TOURISM_OFFICER, "/en/establishments/"),
        (Role.ADMIN, "/en/admin/users/"),
    ],
)
def test_header_links_each_role_to_its_own_work(client, db_session, role, link):
    user = make_user(db_session, role)
    log_in(client, user.email)
    assert f'href="{link}"' in client.get("/en/account").get_data(as_text=True)


def test_tourists_header_has_no_work_links(client, db_session):
    user = make_user(db_session, Role.TOURIST)
    log_in(client, user.email)
    page = client.get("/en/account").get_data(as_text=True)
    assert 'href="/en/desk/"' not in page
    assert 'href="/en/establishments/"' not in page
