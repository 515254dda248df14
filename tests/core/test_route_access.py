"""Walk every route: the ones that need a role must refuse everyone else."""

import re

import pytest
from werkzeug.routing import Rule

from core.auth import services
from core.auth.roles import Role
from core.clock import utcnow
from tests.factories import csrf_token, log_in, make_user


def guarded_rules(app, marker):
    for rule in app.url_map.iter_rules():
        roles = getattr(app.view_functions[rule.endpoint], marker, None)
        if roles is not None:
            yield rule, roles


def concrete_path(rule: Rule) -> str:
    """The rule with every variable filled: a language, or a number."""
    path = re.sub(r"<locale:lang>", "en", rule.rule)
    return re.sub(r"<(?:int:)?\w+>", "1", path)


def methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def test_scan_finds_guarded_pages_and_api_endpoints(app):
    assert len(list(guarded_rules(app, "page_roles"))) >= 3
    assert len(list(guarded_rules(app, "api_roles"))) >= 1


def test_guarded_pages_send_anonymous_visitors_to_sign_in(app, client):
    for rule, _roles in guarded_rules(app, "page_roles"):
        path = concrete_path(rule)
        for method in methods(rule):
            response = client.open(path, method=method)
            assert response.status_code in {302, 400}, (method, path)  # 400: no CSRF token
            if response.status_code == 302:
                assert "/en/login?next=" in response.headers["Location"], path


def test_guarded_api_endpoints_answer_401_to_anonymous_callers(app, client):
    for rule, _roles in guarded_rules(app, "api_roles"):
        for method in methods(rule):
            response = client.open(concrete_path(rule), method=method, json={})
            assert response.status_code == 401, (method, rule.rule)
            assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("role", list(Role))
def test_guarded_pages_refuse_the_wrong_role_with_403(app, client, db_session, role):
    user = make_user(db_session, role)
    log_in(client, user.email)
    token = csrf_token(client, "/en/account")
    for rule, roles in guarded_rules(app, "page_roles"):
        if role in roles:
            continue
        for method in methods(rule):
            response = client.open(concrete_path(rule), method=method, data={"csrf_token": token})
            assert response.status_code == 403, (role, method, rule.rule)


@pytest.mark.parametrize("role", list(Role))
def test_guarded_api_endpoints_refuse_the_wrong_role_with_403(app, client, db_session, role):
    user = make_user(db_session, role)
    token = services.create_api_token(db_session, user, "scan", utcnow())
    db_session.commit()
    for rule, roles in guarded_rules(app, "api_roles"):
        if role in roles:
            continue
        for method in methods(rule):
            response = client.open(
                concrete_path(rule),
                method=method,
                json={},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert response.status_code == 403, (role, method, rule.rule)
