"""Statistics periods at the edge of the calendar are 400 with a message, never 500."""

from __future__ import annotations

import pytest

from core.auth.roles import Role
from tests.factories import log_in, make_user
from tests.lodging.registration.test_api import bearer

CALENDAR = "Enter a date from 1900-01-01 to 2199-12-31."


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=9999-12-30&to=9999-12-31", "from"),
        ("from=2026-01-01&to=9999-12-31", "to"),
        ("from=0001-01-01&to=0001-01-02", "from"),
    ],
)
def test_statistics_api_refuses_dates_at_the_edge(client, db_session, query, field):
    auth = bearer(db_session, make_user(db_session, Role.TOURISM_OFFICER))
    answer = client.get(f"/api/v1/statistics/occupancy?{query}", headers=auth)
    assert answer.status_code == 400, answer.json
    assert answer.json["errors"][field] == CALENDAR


def test_the_dashboard_page_explains_a_date_at_the_edge(client, db_session):
    officer = make_user(db_session, Role.TOURISM_OFFICER)
    log_in(client, officer.email)
    answer = client.get("/en/dashboard/?from=9999-12-30&to=9999-12-31")
    assert answer.status_code in {200, 400}
    assert CALENDAR in answer.get_data(as_text=True)
