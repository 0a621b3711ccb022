"""The `script` step's pure choices: output parsing, limits, exits, who may change what."""

from __future__ import annotations

import pytest

from app.core.scripts import (
    MAX_STDOUT_BYTES,
    RAISED_EXIT,
    Limits,
    ScriptConfig,
    limits_of,
    outcome,
    parse_output,
    rlimits,
    script_changes,
)

LIMITS = Limits(timeout_s=5, cpu_s=2, memory_bytes=128 * 1_048_576)


@pytest.mark.parametrize(
    ("stdout", "value", "before"),
    [
        ('{"a": 1}\n', {"a": 1}, ""),
        ('working\n{"a": 1}\n\n  \n', {"a": 1}, "working"),
        ("one\ntwo\n[1, 2]", [1, 2], "one\ntwo"),
        ("42\n", 42, ""),
        ("", None, ""),
        ("\n\n", None, ""),
        ('"text"', "text", ""),
    ],
)
def test_the_last_non_empty_line_is_the_output(stdout: str, value: object, before: str) -> None:
    assert parse_output(stdout) == (value, before)


@pytest.mark.parametrize("stdout", ["done\n", "{'a': 1}", '{"a": 1}\nnot json'])
def test_a_last_line_that_is_no_json_is_refused(stdout: str) -> None:
    with pytest.raises(ValueError, match="the last line printed is not JSON"):
        parse_output(stdout)


@pytest.mark.parametrize(
    ("timeout_s", "cpu_s", "expected_cpu"),
    [(30, 10, 10), (3, 10, 3), (2.5, 10, 3), (1, 1, 1), (600, 600, 600)],
)
def test_cpu_limit_never_past_the_wall_clock(
    timeout_s: float, cpu_s: int, expected_cpu: int
) -> None:
    limits = limits_of(ScriptConfig(code="x", timeout_s=timeout_s, cpu_s=cpu_s, memory_mb=64))
    assert limits.cpu_s == expected_cpu and limits.memory_bytes == 64 * 1_048_576


def test_child_rlimits() -> None:
    table = {name: (soft, hard) for name, soft, hard in rlimits(LIMITS)}
    assert table["RLIMIT_CPU"] == (2, 3)
    assert table["RLIMIT_AS"] == (128 * 1_048_576,) * 2
    assert table["RLIMIT_CORE"] == (0, 0)


@pytest.mark.parametrize(
    ("config", "path"),
    [
        ({"code": ""}, "code"),
        ({"code": "x" * 100_001}, "code"),
        ({"code": "x", "timeout_s": 0}, "timeout_s"),
        ({"code": "x", "timeout_s": 601}, "timeout_s"),
        ({"code": "x", "cpu_s": 0}, "cpu_s"),
        ({"code": "x", "memory_mb": 32}, "memory_mb"),
        ({"code": "x", "memory_mb": 5000}, "memory_mb"),
    ],
)
def test_bounds(config: dict, path: str) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as info:
        ScriptConfig.model_validate(config)
    assert info.value.errors()[0]["loc"] == (path,)


@pytest.mark.parametrize(
    ("kwargs", "ok", "error"),
    [
        ({"returncode": 0, "stdout": '{"x": 1}'}, True, ""),
        ({"returncode": None, "timed_out": True}, False, "timed out after 5 s"),
        ({"returncode": -24}, False, "CPU time limit of 2 s"),
        ({"returncode": -9}, False, "CPU time limit of 2 s"),
        ({"returncode": RAISED_EXIT, "stderr": "Traceback…\nMemoryError"}, False,
         "memory limit of 128 MB"),
        ({"returncode": RAISED_EXIT, "stderr": "Traceback…\nKeyError: 'a'"}, False,
         "raised an exception:\nTraceback…\nKeyError: 'a'"),
        ({"returncode": 2, "stderr": "bad"}, False, "exited with 2:\nbad"),
        ({"returncode": -11}, False, "exited with signal 11"),
        ({"returncode": -9, "too_much": f"{MAX_STDOUT_BYTES // 1024} KB on stdout"}, False,
         "printed more than 1024 KB on stdout"),
        ({"returncode": 0, "stdout": "plain"}, False, "not JSON"),
    ],
)  # fmt: skip
def test_how_the_child_ended(kwargs: dict, ok: bool, error: str) -> None:
    result = outcome(**{"stdout": "", "stderr": "", "limits": LIMITS, **kwargs})
    assert result.ok is ok
    assert error in result.error
    if ok:
        assert result.output == {"result": {"x": 1}, "stdout": "", "stderr": ""}


SCRIPT = {"id": "s", "type": "script", "config": {"code": "print(1)"}}
OTHER = {"id": "t", "type": "transform", "config": {"values": {}}}


@pytest.mark.parametrize(
    ("before", "after", "changed"),
    [
        ([], [OTHER], []),
        ([], [SCRIPT], ["s"]),
        ([SCRIPT], [SCRIPT, OTHER], []),
        ([SCRIPT], [{**SCRIPT, "ui": {"x": 1, "y": 2}}], []),
        ([SCRIPT], [{**SCRIPT, "config": {"code": "print(2)"}}], ["s"]),
        ([SCRIPT], [{**SCRIPT, "timeout_s": 5}], ["s"]),
        ([SCRIPT], [OTHER], ["s"]),
        ([SCRIPT], [{**SCRIPT, "id": "s2"}], ["s", "s2"]),
        ([], [{"id": "each", "type": "for_each", "config": {"step": SCRIPT}}], ["each.step"]),
    ],
)
def test_which_script_steps_a_change_touches(before: list, after: list, changed: list) -> None:
    assert script_changes(before, after) == changed


def test_script_code_is_never_checked_as_a_template_also_per_item() -> None:
    from app.core.workflow import validate_workflow

    code = "print('{% not a template')"
    script = {"type": "script", "config": {"code": code}}
    for actions in (
        [{"id": "s", **script}],
        [{"id": "each", "type": "for_each", "config": {"items": [1], "step": script}}],
    ):
        flow = {"name": "f", "trigger": {"type": "manual"}, "actions": actions}
        assert validate_workflow(flow, {"script", "for_each"}).actions[0].config
    bad = {"id": "s", "type": "script", "config": {"code": "x", "input": "{{ oops"}}
    with pytest.raises(Exception, match="actions.0..config.input"):
        validate_workflow({"name": "f", "trigger": {"type": "manual"}, "actions": [bad]})
