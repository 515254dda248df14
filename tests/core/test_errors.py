import pytest

from portal import create_app


@pytest.fixture
def failing_app(settings):
    """The real app with one route that breaks, to see what a 500 looks like."""
    app = create_app(settings)

    @app.route("/<locale:lang>/broken")
    def broken():
        raise RuntimeError("boom: secret internals")

    return app


def test_an_unexpected_error_is_a_friendly_500_without_internals(failing_app):
    response = failing_app.test_client().get("/en/broken")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in page
    assert "secret internals" not in page
    assert "Traceback" not in page


def test_unexpected_api_error_is_a_problem(failing_app):
    @failing_app.route("/api/v1/broken")
    def broken_api():
        raise RuntimeError("boom")

    response = failing_app.test_client().get("/api/v1/broken")
    assert response.status_code == 500
    assert response.mimetype == "application/problem+json"


def test_missing_page_is_404_with_a_way_home(client):
    response = client.get("/en/no-such-page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Page not found" in page
    assert 'href="/en/"' in page


def test_wrong_method_is_405_page(client):
    response = client.post("/en/account")
    # CSRF runs first for a form post without a token: it must still be a clear page
    assert response.status_code in {400, 405}
    assert "<h1>" in response.get_data(as_text=True)
