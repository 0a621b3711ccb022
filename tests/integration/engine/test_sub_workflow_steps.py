"""`sub_workflow` steps on the real engine: child runs linked both ways, waiting for them or
not, a failing or missing child, the depth limit, and loops refused at save (over REST)."""

from __future__ import annotations

import httpx

from app.engine.runner import Engine
from tests.integration.engine.wait_helpers import BASE, create, detail, start, status_is, steps
from tests.integration.engine.wait_helpers import until as until_state

ENDED = status_is("succeeded", "failed", "cancelled")


def _call(step_id: str, target: int | str, *, wait: bool = True, payload=None) -> dict:
    config = {"workflow_id": target, "payload": payload or {}, "wait": wait}
    return {"id": step_id, "type": "sub_workflow", "config": config}


async def _doubler(api: httpx.AsyncClient) -> int:
    return await create(
        api,
        "Doubler",
        [
            {
                "id": "double",
                "type": "transform",
                "config": {"values": {"doubled": "{{ trigger.n * 2 }}"}},
            }
        ],
    )


async def test_waiting_for_a_child_takes_its_outputs(api: httpx.AsyncClient) -> None:
    child_wf = await _doubler(api)
    parent_wf = await create(
        api,
        "Parent",
        [
            _call("call", child_wf, payload={"n": "{{ trigger.n }}"}),
            {
                "id": "use",
                "type": "transform",
                "config": {"values": {"got": "{{ steps.call.output.steps.double.doubled }}"}},
            },
        ],
    )
    parent_id = await start(api, parent_wf, {"n": 21})
    done = await until_state(api, parent_id, ENDED)
    assert done["status"] == "succeeded", done
    call = steps(done)["call"]["output"]
    [child] = done["children"]
    assert call == {
        "execution_id": child["id"],
        "status": "succeeded",
        "steps": {"double": {"doubled": 42}},
    }
    assert steps(done)["use"]["output"] == {"got": 42}
    assert child["workflow_id"] == child_wf and child["workflow_name"] == "Doubler"
    assert child["parent_step"] == "call" and child["status"] == "succeeded"
    assert done["waits"][0]["kind"] == "child"
    assert done["waits"][0]["child_execution_id"] == child["id"]
    assert done["parent_execution_id"] is None and done["depth"] == 0

    seen = await detail(api, child["id"])
    assert seen["parent_execution_id"] == parent_id and seen["parent_step"] == "call"
    assert seen["depth"] == 1 and seen["trigger_type"] == "sub_workflow"
    assert seen["trigger_payload"] == {"n": 21}


async def test_not_waiting_ends_the_step_with_the_child_id(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    child_wf = await _doubler(api)
    parent_wf = await create(api, "Fire", [_call("call", child_wf, wait=False, payload={"n": 1})])
    parent_id = await start(api, parent_wf)
    done = await until_state(api, parent_id, ENDED)
    assert done["status"] == "succeeded" and done["waits"] == []
    child_id = steps(done)["call"]["output"]["execution_id"]
    assert [c["id"] for c in done["children"]] == [child_id]
    child = await until_state(api, child_id, ENDED)
    assert child["status"] == "succeeded" and child["parent_execution_id"] == parent_id


async def test_a_failing_child_fails_the_waiting_step(api: httpx.AsyncClient) -> None:
    broken = await create(
        api,
        "Broken",
        [{"id": "boom", "type": "transform", "config": {"values": {"x": "{{ 1 / 0 }}"}}}],
    )
    parent_wf = await create(api, "Parent", [_call("call", broken)])
    done = await until_state(api, parent_id := await start(api, parent_wf), ENDED)
    assert done["status"] == "failed"
    child_id = done["children"][0]["id"]
    assert steps(done)["call"]["error"] == f"sub-workflow execution {child_id} ended failed"
    assert (await detail(api, child_id))["parent_execution_id"] == parent_id


async def test_an_unknown_or_paused_workflow_fails_the_step_clearly(
    api: httpx.AsyncClient,
) -> None:
    paused_wf = await _doubler(api)
    assert (await api.post(f"{BASE}/workflows/{paused_wf}/pause")).status_code == 200
    both_at_start = [  # neither waits for the other
        {**_call("missing", 999_999, wait=False), "depends_on": []},
        {**_call("paused", paused_wf, wait=False), "depends_on": []},
    ]
    parent_wf = await create(api, "Parent", both_at_start)
    done = await until_state(api, await start(api, parent_wf), ENDED)
    assert done["status"] == "failed" and done["children"] == []
    assert steps(done)["missing"]["error"] == "workflow 999999 does not exist"
    assert steps(done)["paused"]["error"] == (
        f"workflow 'Doubler' (id {paused_wf}) is paused; resume it to run it here"
    )


async def test_a_chain_deeper_than_ten_fails_at_the_eleventh_level(
    api: httpx.AsyncClient,
) -> None:
    # A templated id is not followed at save time: the depth limit stops it at run time.
    wf = await create(api, "Recursive", [_call("again", "{{ workflow.id }}")])
    top = await start(api, wf)
    done = await until_state(api, top, ENDED, limit_s=60)
    assert done["status"] == "failed"
    chain = [done]
    while chain[-1]["children"]:
        chain.append(await detail(api, chain[-1]["children"][0]["id"]))
    assert [run["depth"] for run in chain] == list(range(11))
    deepest = steps(chain[-1])["again"]
    assert (
        deepest["error"]
        == "sub-workflow depth limit: a child run here would be 11 levels deep (at most 10)"
    )
    assert all(run["status"] == "failed" for run in chain)


async def test_a_loop_through_sub_workflows_is_refused_when_saved(
    api: httpx.AsyncClient,
) -> None:
    first = await create(api, "First", [{"id": "x", "type": "transform", "config": {"values": {}}}])
    second = await create(api, "Second", [_call("call_first", first)])
    response = await api.put(
        f"{BASE}/workflows/{first}", json={"actions": [_call("call_second", second)]}
    )
    assert response.status_code == 422, response.text
    [problem] = response.json()["error"]["details"]
    assert problem == {
        "path": "actions[0].config.workflow_id",
        "message": "calls itself through sub-workflows: First → Second → First",
    }


async def test_cancelling_a_parent_cancels_the_child_it_waits_for_only(
    api: httpx.AsyncClient,
) -> None:
    hook = [{"id": "callback", "type": "wait", "config": {"webhook": True}}]
    waited_wf = await create(api, "Waited", hook)
    fired_wf = await create(api, "Fired", hook)
    parent_wf = await create(
        api, "Parent", [_call("fire", fired_wf, wait=False), _call("call", waited_wf)]
    )
    parent_id = await start(api, parent_wf)
    waiting = await until_state(
        api, parent_id, lambda seen: seen["status"] == "waiting" and len(seen["children"]) == 2
    )
    ids = {child["parent_step"]: child["id"] for child in waiting["children"]}
    for child_id in ids.values():
        await until_state(api, child_id, status_is("waiting"))

    response = await api.post(f"{BASE}/executions/{parent_id}/cancel")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    statuses = {c["parent_step"]: c["status"] for c in response.json()["children"]}
    assert statuses == {"fire": "waiting", "call": "cancelled"}
    assert (await detail(api, ids["fire"]))["status"] == "waiting"
