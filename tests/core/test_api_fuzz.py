"""Schemathesis against the served OpenAPI document: no 5xx, no answer outside its schema.

Every operation is called with what its schema allows and with what it does not
(positive and negative examples), as an anonymous client, as a lodging owner and
as a tourism officer, with tokens made here. The examples are derandomized, so a
run is the same on every machine; a failure prints the curl command that repeats it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.core.result import Ok
from schemathesis.generation.modes import GenerationMode
from schemathesis.schemas import APIOperation
from sqlalchemy.orm import Session

from core.auth import services as accounts
from core.auth.roles import Role
from core.clock import utcnow
from portal.booking.models import RatePlan
from portal.booking.payments import StripeProvider
from tests.booking.localstripe import localstripe
from tests.factories import declare, make_establishment, make_user

Operation = APIOperation[Any, Any, Any, Any]
EXAMPLES = 30
# Schema-valid requests a business rule refuses (an arrival in the past, a rate plan
# that does not exist) are 400/422 answers the schema cannot foresee; anything else
# (405, 413, 5xx) for valid data is still a failure.
# The callers' tokens are this test's own (owner, officer, none): the fuzzer does not make up
# or drop the Authorization header, or a negative case "without a token" would be sent with one.
CONFIG = SchemathesisConfig.from_str(
    """
[generation]
with-security-parameters = false

[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "422", "429"]
"""
)
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@dataclass(frozen=True)
class Callers:
    owner: dict[str, str]
    officer: dict[str, str]
    anonymous: dict[str, str]
    # The owner's own records, for the path ids of positive examples: random ids
    # would only ever find nothing.
    establishment_id: int
    stay_id: int

    def path_ids(self, operation: Operation) -> dict[str, int]:
        if operation.path.startswith("/api/v1/establishments/{id}"):
            return {"id": self.establishment_id}
        if operation.path.startswith("/api/v1/stays/{id}"):
            return {"id": self.stay_id}
        return {}


@pytest.fixture(scope="module")
def payments(app: Flask) -> Iterator[None]:
    """A real localstripe for the bookings the fuzzer happens to make."""
    original = app.extensions["payment_provider"]
    with localstripe() as url:
        app.extensions["payment_provider"] = StripeProvider(
            secret_key="sk_test_fuzz",
            publishable_key="pk_test_fuzz",
            webhook_secret="whsec_fuzz",
            api_base=url,
        )
        yield
    app.extensions["payment_provider"] = original


def _bearer(session: Session, role: Role) -> dict[str, str]:
    user = make_user(session, role)
    token = accounts.create_api_token(session, user, "fuzz", utcnow())
    session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def callers(db_session: Session) -> Callers:
    """An owner with a hotel, a rate plan and a declared stay; an officer; nobody."""
    owner = make_user(db_session, Role.LODGING_OWNER)
    hotel = make_establishment(db_session, owner=owner)
    db_session.add(
        RatePlan(room_type=hotel.room_types[0], name="Standard", nightly_price=1_250_000)
    )
    stay = declare(db_session, hotel, by=owner)
    token = accounts.create_api_token(db_session, owner, "fuzz", utcnow())
    db_session.commit()
    return Callers(
        owner={"Authorization": f"Bearer {token}"},
        officer=_bearer(db_session, Role.TOURISM_OFFICER),
        anonymous={},
        establishment_id=hotel.id,
        stay_id=stay.id,
    )


def _failures(
    operation: Operation, mode: GenerationMode, headers: dict[str, str], ids: dict[str, int]
) -> list[str]:
    """Run one operation's examples; each failure as schemathesis reports it (with curl)."""
    found: list[str] = []
    takes = operation.path_parameters or operation.query or operation.headers or operation.body
    if mode.is_negative and not takes:
        return found  # nothing to send wrong

    @FUZZ
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=ids or None))
    def run(case: schemathesis.Case[Operation]) -> None:
        case.call_and_validate(headers=headers | {"Accept-Language": "en"})

    try:
        run()
    except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001 - each is reported
        found.append(f"{operation.label} ({mode.value}):\n{failure}")
    return found


@pytest.mark.parametrize("mode", list(GenerationMode), ids=str)
@pytest.mark.parametrize("caller", ["anonymous", "owner", "officer"])
def test_every_operation_keeps_to_its_schema(
    app: Flask, payments: None, callers: Callers, caller: str, mode: GenerationMode
) -> None:
    api = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)
    operations = []
    for result in api.get_all_operations():
        assert isinstance(result, Ok), result  # the document describes an operation wrongly
        operations.append(result.ok())
    assert len(operations) > 15
    headers = getattr(callers, caller)
    failures = [
        failure
        for operation in operations
        for failure in _failures(
            operation, mode, headers, callers.path_ids(operation) if mode.is_positive else {}
        )
    ]
    assert not failures, "\n\n".join(failures)
