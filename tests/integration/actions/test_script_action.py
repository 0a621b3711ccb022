"""`script` on the real engine: a real child process under real limits, and who may save one."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from app.core.errors import PermissionDenied
from app.core.statuses import Role
from app.engine.runner import Engine
from app.services import executions, workflows
from app.services.actor import SYSTEM, Actor
from app.services.users import create_user
from tests.integration.actions.action_helpers import workflow


@pytest.fixture
def admin(db: Path) -> Actor:
    user = create_user(SYSTEM, email="admin@example.com", role="admin", password="admin-password")
    return Actor(kind="user", user_id=user.id, email=user.email, role=Role.ADMIN)


def _script(code: str, **config: object) -> list[dict]:
    return [{"id": "calc", "type": "script", "config": {"code": code, **config}}]


async def _run(admin: Actor, engine: Engine, actions: list[dict], payload: dict | None = None):  # noqa: ANN202
    workflow_id = workflow(admin, actions)
    started = await executions.execute_workflow(admin, workflow_id, payload=payload)
    await engine.drain()
    result = executions.get_execution(admin, started["id"])
    return result, result["steps"][0]


SUM = """
import json, sys
data = json.load(sys.stdin)
print("adding", len(data["numbers"]), "numbers")
print(json.dumps({"total": sum(data["numbers"]), "who": data["who"]}))
"""


async def test_input_on_stdin_and_the_last_line_as_output(admin: Actor, engine: Engine) -> None:
    actions = _script(SUM, input={"numbers": [1, 2, 3.5], "who": "{{ trigger.who }}"})
    actions.append(
        {
            "id": "after",
            "type": "transform",
            "config": {"values": {"doubled": "{{ steps.calc.output.result.total * 2 }}"}},
        }  # fmt: skip
    )
    result, step = await _run(admin, engine, actions, payload={"who": "ada"})
    assert result["status"] == "succeeded", result
    assert step["output"]["result"] == {"total": 6.5, "who": "ada"}
    assert step["output"]["stdout"] == "adding 3 numbers"
    assert result["steps"][1]["output"] == {"doubled": 13.0}


async def test_code_is_not_a_template(admin: Actor, engine: Engine) -> None:
    code = 'import json\nprint(json.dumps({"text": "{{ not rendered }}"}))'
    result, step = await _run(admin, engine, _script(code))
    assert result["status"] == "succeeded", result
    assert step["output"]["result"] == {"text": "{{ not rendered }}"}


async def test_nothing_of_the_apps_environment_is_visible(admin: Actor, engine: Engine) -> None:
    code = "import json, os\nprint(json.dumps({'env': dict(os.environ), 'cwd': os.getcwd()}))"
    result, step = await _run(admin, engine, _script(code))
    assert result["status"] == "succeeded", result
    env = step["output"]["result"]["env"]
    assert set(env) == {"PATH", "HOME", "TMPDIR", "LANG", "LC_ALL"}
    cwd = step["output"]["result"]["cwd"]
    assert "flowdeck-script-" in cwd and not os.path.exists(cwd)  # noqa: ASYNC240 (removed afterwards)


async def test_wall_clock_timeout_kills_the_process_group(admin: Actor, engine: Engine) -> None:
    code = "import subprocess, time\nsubprocess.Popen(['sleep', '60'])\ntime.sleep(60)"
    started = time.monotonic()
    result, step = await _run(admin, engine, _script(code, timeout_s=1))
    assert time.monotonic() - started < 15
    assert result["status"] == "failed"
    assert "timed out after 1 s" in step["error"]


async def test_a_busy_loop_is_stopped_at_its_cpu_limit(admin: Actor, engine: Engine) -> None:
    result, step = await _run(admin, engine, _script("while True:\n    pass", cpu_s=1))
    assert result["status"] == "failed"
    assert "CPU time limit of 1 s" in step["error"]


async def test_memory_past_the_limit_fails_cleanly(admin: Actor, engine: Engine) -> None:
    code = "blocks = [bytearray(10 * 1024 * 1024) for _ in range(100)]\nprint(len(blocks))"
    result, step = await _run(admin, engine, _script(code, memory_mb=128))
    assert result["status"] == "failed"
    assert "memory limit of 128 MB" in step["error"] and "MemoryError" in step["error"]


async def test_an_exception_shows_the_scripts_traceback(admin: Actor, engine: Engine) -> None:
    code = "def divide(n):\n    return n / 0\n\ndivide(4)"
    result, step = await _run(admin, engine, _script(code))
    assert result["status"] == "failed"
    error = step["error"]
    assert 'File "script.py", line 2, in divide' in error
    assert "ZeroDivisionError: division by zero" in error
    assert "script_child" not in error


async def test_a_last_line_that_is_no_json_says_so(admin: Actor, engine: Engine) -> None:
    result, step = await _run(admin, engine, _script("print('done')"))
    assert result["status"] == "failed"
    assert "the last line printed is not JSON: 'done'" in step["error"]


async def test_output_past_the_cap_stops_the_script(admin: Actor, engine: Engine) -> None:
    code = "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)"
    result, step = await _run(admin, engine, _script(code))
    assert result["status"] == "failed"
    assert "printed more than 1024 KB on stdout" in step["error"]


async def test_members_run_script_steps_but_may_not_write_them(
    admin: Actor, member: Actor, engine: Engine
) -> None:
    code = "print('{\"ok\": true}')"
    with pytest.raises(PermissionDenied, match="only admins may add, change or remove script"):
        workflow(member, _script(code))
    workflow_id = workflow(admin, _script(code))
    saved = workflows.get_workflow(member, workflow_id)
    changed = [{**saved["actions"][0], "config": {"code": "print(1)"}}]
    with pytest.raises(PermissionDenied, match=r"script steps \(calc\)"):
        workflows.update_workflow(member, workflow_id, {"actions": changed})
    with pytest.raises(PermissionDenied):
        other = {"id": "other", "type": "transform", "config": {"values": {}}}
        workflows.update_workflow(member, workflow_id, {"actions": [other]})
    # the rest of the workflow is theirs to change, and to run
    workflows.update_workflow(member, workflow_id, {"name": "renamed by a member"})
    started = await executions.execute_workflow(member, workflow_id)
    await engine.drain()
    assert executions.get_execution(member, started["id"])["status"] == "succeeded"


async def test_the_steps_own_timeout_also_kills_the_child(admin: Actor, engine: Engine) -> None:
    code = "import os, time\nprint(os.getpid(), flush=True)\ntime.sleep(60)"
    actions = [{**_script(code, timeout_s=60)[0], "timeout_s": 1}]
    started = time.monotonic()
    result, step = await _run(admin, engine, actions)
    assert time.monotonic() - started < 15
    assert result["status"] == "failed" and "timed out after 1 s" in step["error"]
    leftovers = [p for p in os.listdir("/proc") if p.isdigit() and _is_script_child(p)]
    assert leftovers == []


def _is_script_child(pid: str) -> bool:
    """A `script_child.py` process started by this test process."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            cmdline = handle.read()
        with open(f"/proc/{pid}/stat") as handle:
            parent = int(handle.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return False
    return b"script_child.py" in cmdline and parent == os.getpid()


def test_imports_and_templates_with_script_steps_are_for_admins(
    admin: Actor, member: Actor
) -> None:
    from app.services import templates, workflow_transfer

    workflow_id = workflow(admin, _script("print(1)"))
    exported = workflow_transfer.export_workflow(admin, workflow_id)
    with pytest.raises(PermissionDenied, match="script steps"):
        workflow_transfer.import_workflow(member, exported)
    assert workflow_transfer.import_workflow(admin, exported)["actions"][0]["type"] == "script"
    with pytest.raises(PermissionDenied, match="script steps"):
        templates.save_template(member, {"workflow_id": workflow_id, "category": "development"})
    saved = templates.save_template(admin, {"workflow_id": workflow_id, "category": "development"})
    with pytest.raises(PermissionDenied, match="script steps"):
        templates.create_from_template(member, saved["saved_id"], {}, name="From a template")
    made = templates.create_from_template(admin, saved["saved_id"], {}, name="By the admin")
    assert made.workflow["actions"][0]["type"] == "script"
