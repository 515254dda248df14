"""The OpenAPI document states the problem answers each operation can give."""

PROBLEM = "application/problem+json"


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_operation_documents_the_plumbings_problems(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert "Problem" in document["components"]["schemas"]
    for path, method, operation in _operations(document):
        responses = operation["responses"]
        assert PROBLEM in responses["401"]["content"], (method, path)
        if "{" in path:
            assert PROBLEM in responses["404"]["content"], (method, path)
        if "requestBody" in operation:
            assert {"400", "413"} <= set(responses), (method, path)
        if "422" in responses:
            assert set(responses["422"]["content"]) == {PROBLEM}, (method, path)


def test_only_role_restricted_operations_document_403(client):
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    assert "403" in paths["/api/v1/stays/{id}"]["get"]["responses"]
    assert "403" in paths["/api/v1/statistics/occupancy"]["get"]["responses"]
    assert "403" not in paths["/api/v1/me"]["get"]["responses"]
    assert "403" not in paths["/api/v1/bookings"]["post"]["responses"]
