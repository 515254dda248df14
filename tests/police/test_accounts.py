"""Police accounts by area: names with or without diacritics, old names, or codes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.auth.models import User
from tests.core.test_accounts import create_police_account_as_admin


@pytest.mark.parametrize(
    ("province", "commune", "codes"),
    [
        ("Quảng Ninh", "Bãi Cháy", (22, 6673)),
        ("quang ninh", "phuong bai chay", (22, 6673)),
        ("22", "6673", (22, 6673)),
        ("Yên Bái", "", (15, None)),  # merged into Lào Cai in 2025
        ("Lao Cai", "Sa Pa", (15, 3006)),
    ],
)
def test_cli_creates_a_police_account_for_an_area(app, db_session, province, commune, codes):
    args = [
        "users",
        "create",
        "cs@example.com",
        "--role",
        "police",
        "--password-stdin",
        "--police-province",
        province,
    ]
    if commune:
        args += ["--police-commune", commune]
    result = app.test_cli_runner().invoke(args=args, input="Yen-Tu-Pagoda-1413\n")
    assert result.exit_code == 0, result.output
    user = db_session.scalar(select(User).where(User.email == "cs@example.com"))
    assert (user.police_province_code, user.police_commune_code) == codes


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], "police_province: Tài khoản công an cần có tỉnh"),
        (["--police-province", "Atlantis"], "police_province: Không có tỉnh"),
        (["--police-province", "Quảng Ninh", "--police-commune", "Sa Pa"], "police_commune:"),
    ],
)
def test_cli_refuses_an_unknown_area(app, db_session, extra, message):
    args = ["users", "create", "cs@example.com", "--role", "police", "--password-stdin", *extra]
    result = app.test_cli_runner().invoke(args=args, input="Yen-Tu-Pagoda-1413\n")
    assert result.exit_code != 0
    assert message in result.output
    assert db_session.scalar(select(User).where(User.email == "cs@example.com")) is None


def test_admin_form_says_which_commune_is_unknown(client, db_session):
    response = create_police_account_as_admin(
        client, db_session, police_province="Quang Ninh", police_commune="Sa Pa"
    )
    assert response.status_code == 200
    assert "No ward or commune of Quảng Ninh has this name or code." in response.get_data(
        as_text=True
    )
