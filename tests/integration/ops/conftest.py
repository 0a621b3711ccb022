"""Fixtures for the operations actions: PagerDuty and Opsgenie stand-ins on loopback, and
connections to them made through the connection service."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.services import connections
from app.services.actor import Actor
from tests.integration.ops.standins_incidents import (
    GENIE_KEY,
    ROUTING_KEY,
    OpsgenieStandIn,
    PagerDutyStandIn,
)
from tests.integration.social.loopback import serving


@pytest.fixture
def pagerduty() -> Iterator[PagerDutyStandIn]:
    with serving(PagerDutyStandIn()) as stand_in:
        yield stand_in


@pytest.fixture
def opsgenie() -> Iterator[OpsgenieStandIn]:
    with serving(OpsgenieStandIn()) as stand_in:
        yield stand_in


@pytest.fixture
def mirrors(member: Actor, pagerduty: PagerDutyStandIn, opsgenie: OpsgenieStandIn) -> list[str]:
    """A PagerDuty and an Opsgenie connection (by name) pointing at the stand-ins."""
    connections.create_connection(
        member,
        {"name": "pd", "platform": "pagerduty", "credentials": {"routingKey": ROUTING_KEY},
         "config": {"apiBase": pagerduty.base_url}},
    )  # fmt: skip
    connections.create_connection(
        member,
        {"name": "og", "platform": "opsgenie", "credentials": {"apiKey": GENIE_KEY},
         "config": {"apiBase": opsgenie.base_url}},
    )  # fmt: skip
    return ["pd", "og"]
