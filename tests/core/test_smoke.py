from tests.factories import log_in, make_user


def test_home_answers_in_vietnamese_and_english(client):
    for lang in ("vi", "en"):
        response = client.get(f"/{lang}/")
        assert response.status_code == 200
        assert f'<html lang="{lang}">' in response.get_data(as_text=True)


def test_tourist_logs_in_and_sees_account(client, db_session):
    user = make_user(db_session)
    log_in(client, user.email)
    page = client.get("/en/account").get_data(as_text=True)
    assert user.email in page
