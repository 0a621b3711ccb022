"""PagerDuty and Opsgenie connections: made through the service with their secrets encrypted,
verified against the stand-ins (PagerDuty: a test alert triggered and resolved; Opsgenie: a
read with the GenieKey), a wrong key reported without the key in the message."""

from __future__ import annotations

from app.services import connections
from app.services.actor import Actor
from tests.integration.ops.standins_incidents import (
    GENIE_KEY,
    ROUTING_KEY,
    OpsgenieStandIn,
    PagerDutyStandIn,
)


def _connect(member: Actor, platform: str, secret: dict, base: str) -> int:
    body = {"name": platform, "platform": platform, "credentials": secret,
            "config": {"apiBase": base}}  # fmt: skip
    return connections.create_connection(member, body)["id"]


async def test_pagerduty_check_triggers_and_resolves_a_test_alert(
    member: Actor, pagerduty: PagerDutyStandIn
) -> None:
    conn_id = _connect(member, "pagerduty", {"routingKey": ROUTING_KEY}, pagerduty.base_url)
    checked = await connections.verify_connection(member, conn_id)
    assert checked["status"] == "verified", checked
    [alert] = pagerduty.alerts.values()
    assert alert["events"] == ["trigger", "resolve"] and alert["status"] == "resolved"
    assert ROUTING_KEY not in str(connections.get_connection(member, conn_id))


async def test_pagerduty_refuses_a_wrong_routing_key(
    member: Actor, pagerduty: PagerDutyStandIn
) -> None:
    wrong = "WrongRoutingKey0000000000000000"
    conn_id = _connect(member, "pagerduty", {"routingKey": wrong}, pagerduty.base_url)
    checked = await connections.verify_connection(member, conn_id)
    assert checked["status"] == "failed"
    message = checked["verification"]["message"]
    assert "PagerDuty answered 400: Invalid routing key" in message and wrong not in message


async def test_opsgenie_check_reads_with_the_genie_key(
    member: Actor, opsgenie: OpsgenieStandIn
) -> None:
    good = _connect(member, "opsgenie", {"apiKey": GENIE_KEY}, opsgenie.base_url)
    assert (await connections.verify_connection(member, good))["status"] == "verified"
    assert opsgenie.requests[-1].headers["authorization"] == f"GenieKey {GENIE_KEY}"
    assert (opsgenie.requests[-1].method, opsgenie.requests[-1].path) == ("GET", "/v2/alerts")

    body = {"name": "og2", "platform": "opsgenie", "credentials": {"apiKey": "not-the-key-123"},
            "config": {"apiBase": opsgenie.base_url}}  # fmt: skip
    bad = connections.create_connection(member, body)["id"]
    checked = await connections.verify_connection(member, bad)
    assert checked["status"] == "failed"
    assert "Opsgenie answered 403" in checked["verification"]["message"]
