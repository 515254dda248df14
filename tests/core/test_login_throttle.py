"""Sign-in throttling with device cookies: guessing from elsewhere locks nobody out."""

import pytest

from core.auth import throttle
from core.auth.roles import Role
from tests.conftest import TEST_SECRET
from tests.factories import PASSWORD, csrf_token, log_in, make_user

HOTEL = "203.0.113.7"  # one address for a whole hotel behind NAT


def sign_in(client, email, password, address="198.51.100.1"):
    token = csrf_token(client, "/en/login")
    return client.post(
        "/en/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


def guess(app, email, times, address=None):
    """An attacker with no device cookie, from many addresses (or one)."""
    attacker = app.test_client()
    return [
        sign_in(attacker, email, "not-the-password", address or f"192.0.2.{n}").status_code
        for n in range(times)
    ]


def remembered_browser(app, user):
    """A browser the user signed in with before (it keeps its device cookie), signed out."""
    browser = app.test_client()
    log_in(browser, user.email)
    browser.delete_cookie("session")
    assert browser.get_cookie(throttle.DEVICE_COOKIE) is not None
    return browser


@pytest.mark.parametrize("role", [Role.POLICE, Role.LODGING_STAFF])
def test_guessing_from_elsewhere_does_not_lock_out_a_remembered_browser(app, db_session, role):
    user = make_user(db_session, role)
    browser = remembered_browser(app, user)
    assert guess(app, user.email, 6)[-1] == 429  # the account is locked for unknown devices
    assert sign_in(browser, user.email, PASSWORD).status_code == 302


def test_without_a_device_cookie_the_account_stays_locked(app, client, db_session):
    user = make_user(db_session)
    remembered_browser(app, user)
    guess(app, user.email, 5)
    assert sign_in(client, user.email, PASSWORD).status_code == 429


def test_a_hotel_behind_one_address_is_not_locked_by_a_guesser_there(app, db_session):
    user = make_user(db_session, Role.LODGING_STAFF)
    browser = remembered_browser(app, user)
    answers = [
        sign_in(app.test_client(), f"guess{n}@example.com", "nope-nope", HOTEL).status_code
        for n in range(21)
    ]
    assert answers[-1] == 429  # unknown devices at that address are throttled
    assert sign_in(browser, user.email, PASSWORD, HOTEL).status_code == 302


def test_a_remembered_browser_has_its_own_failure_limit(app, db_session):
    user = make_user(db_session)
    browser = remembered_browser(app, user)
    # Five failures count against the device cookie, the next five (the cookie no longer
    # trusted) against the account, as for any unknown device.
    answers = [sign_in(browser, user.email, "wrong-again").status_code for _ in range(10)]
    assert answers == [200] * 10
    assert sign_in(browser, user.email, PASSWORD).status_code == 429


def test_device_failures_do_not_count_against_the_account(app, client, db_session):
    user = make_user(db_session)
    browser = remembered_browser(app, user)
    for _ in range(5):
        sign_in(browser, user.email, "wrong-again")
    assert sign_in(client, user.email, PASSWORD).status_code == 302


def test_a_cookie_for_another_account_does_not_help(app, db_session):
    victim = make_user(db_session)
    thief = remembered_browser(app, make_user(db_session))
    guess(app, victim.email, 5)
    assert sign_in(thief, victim.email, PASSWORD).status_code == 429


def test_a_forged_cookie_does_not_help(app, db_session):
    victim = make_user(db_session)
    guess(app, victim.email, 5)
    forger = app.test_client()
    forged = f"{victim.id}.any-nonce.{'0' * 64}"
    forger.set_cookie(throttle.DEVICE_COOKIE, forged)
    assert sign_in(forger, victim.email, PASSWORD).status_code == 429
    other_key = throttle.device_key("another-secret-key-0123456789abcdef")
    forger.set_cookie(throttle.DEVICE_COOKIE, throttle.new_device_cookie(other_key, victim.id))
    assert sign_in(forger, victim.email, PASSWORD).status_code == 429


def test_the_device_cookie_is_long_lived_and_kept_from_scripts(app, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)  # as in production
    user = make_user(db_session)
    response = sign_in(app.test_client(), user.email, PASSWORD)
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("device="))
    assert "HttpOnly" in header
    assert "Secure" in header
    assert "SameSite=Strict" in header
    assert f"Max-Age={365 * 24 * 3600}" in header
    assert user.email not in header


@pytest.mark.parametrize(
    "value",
    ["", "garbage", "1.2", "x.nonce.sig", "99999999999999999999.n.s", "-1.n.s", "1.n.s.extra"],
)
def test_malformed_device_cookies_are_ignored(value):
    assert throttle.read_device_cookie(throttle.device_key(TEST_SECRET), value) is None


def test_a_device_cookie_reads_back_only_with_its_key():
    key = throttle.device_key(TEST_SECRET)
    value = throttle.new_device_cookie(key, 42)
    found = throttle.read_device_cookie(key, value)
    assert found is not None
    assert found.user_id == 42
    assert throttle.read_device_cookie(throttle.device_key("another-key"), value) is None
    _user_id, nonce, signature = value.split(".")
    assert throttle.read_device_cookie(key, f"43.{nonce}.{signature}") is None
