"""A JSON body nested deeper than anything Flowdeck stores is refused with a 422 that names the
limit, before any code walks it recursively (it was a RecursionError, a 500)."""

from __future__ import annotations

import json

import httpx

from tests.integration.api.deployed import BASE


def _nested(levels: int) -> str:
    return '{"a": ' * levels + "1" + "}" * levels


async def test_a_body_nested_900_levels_is_a_422(admin: httpx.AsyncClient) -> None:
    config = _nested(900)
    body = (
        '{"name": "deep", "trigger": {"type": "manual"}, "actions": [{"id": "t",'
        f' "type": "transform", "config": {{"values": {config}}}}}]}}'
    )
    json.loads(body)  # well-formed JSON: only its depth is the problem
    response = await admin.post(
        f"{BASE}/workflows", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text[:300]
    assert "nested" in response.text


async def test_a_body_nested_within_the_limit_is_taken(admin: httpx.AsyncClient) -> None:
    config = _nested(40)
    body = (
        '{"name": "fine", "trigger": {"type": "manual"}, "actions": [{"id": "t",'
        f' "type": "transform", "config": {{"values": {config}}}}}]}}'
    )
    response = await admin.post(
        f"{BASE}/workflows", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 201, response.text[:300]
