"""A transient database fault during a delivery answers 503 with Retry-After, never a 4xx
(issue 9: a lost connection read as "Constraint ... is violated" made feeds drop valid
observations), and leaves nothing half-written."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import InterfaceError, OperationalError, connection

from readiness.indicators.models import Indicator

from .conftest import Send
from .doors import cap_alert, observation

pytestmark = pytest.mark.django_db

FAULTS: list[Callable[[], Exception]] = [
    lambda: OperationalError("terminating connection due to administrator command"),
    lambda: OperationalError("could not serialize access due to concurrent update"),
    lambda: InterfaceError("connection already closed"),
]


@contextmanager
def fault_on(nth: int, fault: Exception, table: str = "indicators_indicator") -> Iterator[None]:
    """Raise ``fault`` instead of the ``nth`` query (1-based) that names ``table``."""
    seen = 0

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal seen
        if table in sql:
            seen += 1
            if seen == nth:
                raise fault
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield


def assert_retry_asked(response: Any) -> None:
    assert response.status_code == 503, response.content
    assert response["Retry-After"].isdigit()
    assert "again" in response.json()["error"]


@pytest.mark.parametrize("fault", FAULTS)
def test_a_fault_in_the_duplicate_check_is_503_not_a_constraint_violation(
    send_json: Send, fault: Callable[[], Exception]
) -> None:
    # The 1st query on indicators locks the delivered ids (and so checks the new one's
    # external id is free, where Django's own check of that constraint took a fault for a
    # violation); the 2nd writes it.
    with fault_on(1, fault()):
        response = send_json(observation())
    assert_retry_asked(response)
    assert "violated" not in response.content.decode()
    with fault_on(2, fault()):
        response = send_json(observation())
    assert_retry_asked(response)
    assert "violated" not in response.content.decode()
    assert not Indicator.objects.exists()


@pytest.mark.parametrize("fault", FAULTS)
def test_a_fault_mid_batch_keeps_nothing_of_the_batch(
    send_json: Send, fault: Callable[[], Exception]
) -> None:
    batch = {"indicators": [observation(external_id=f"sw-{n}") for n in range(3)]}
    # The batch's rows are written in one statement; the fault hits while their history
    # is.
    with fault_on(1, fault(), table="indicators_historicalindicator"):
        response = send_json(batch)
    assert_retry_asked(response)
    assert not Indicator.objects.exists()
    # The retry the feed was asked for records the whole batch.
    again = send_json(batch)
    assert again.status_code == 201, again.content
    assert Indicator.objects.count() == 3


def test_a_fault_while_authenticating_is_503(send_json: Send) -> None:
    with fault_on(1, OperationalError("server closed the connection"), table="indicators_feed"):
        response = send_json(observation())
    assert_retry_asked(response)


@pytest.mark.parametrize("fault", FAULTS)
def test_a_cap_delivery_hit_by_a_fault_is_503_and_keeps_nothing(
    send_cap: Send, fault: Callable[[], Exception]
) -> None:
    # The 1st query on indicators reads the delivered ids, the 2nd writes both rows.
    with fault_on(2, fault()):
        response = send_cap(cap_alert(infos=2))
    assert_retry_asked(response)
    assert not Indicator.objects.exists()


def test_a_real_duplicate_is_still_refused_as_one(send_json: Send) -> None:
    from readiness.indicators.services import indicator_record

    first = send_json(observation())
    assert first.status_code == 201
    indicator = Indicator.objects.get()
    with pytest.raises(Exception) as refused:
        indicator_record(
            post=indicator.post,
            category="supply",
            severity=3,
            reliability="B",
            credibility=2,
            source="x",
            text="again",
            observed_at=indicator.observed_at,
            external_id=indicator.external_id,
        )
    assert "already used" in str(refused.value)
