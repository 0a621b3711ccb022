"""The `script` step's choices: its limits, the child's resource limits, reading its output,
and what its exit means. Pure: the engine (`app.engine.actions.script`) runs the process.

A script is Python run in a process of its own. Its input arrives as JSON on stdin; the last
non-empty line it prints on stdout is its output (JSON); what it printed before, and its
stderr, are kept (capped) to read on the execution page. Who may write one is decided by
`script_changes`: only admins create or change script steps, anyone who may run a workflow
runs them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import Field

from app.core.config_models import ActionConfig, register_action_config

MAX_CODE_CHARS = 100_000
MAX_INPUT_BYTES = 1_048_576
#: What the parent reads of each stream; past it the child is killed and the step fails.
MAX_STDOUT_BYTES = 1_048_576
MAX_STDERR_BYTES = 262_144
#: What is kept for the step's data: the lines before the output line, stderr, a traceback.
KEPT_LOG_CHARS = 4_000
KEPT_TRACEBACK_CHARS = 8_000
#: Files a script writes (in its temp directory) and descriptors it opens.
MAX_FILE_BYTES = 64 * 1_048_576
MAX_OPEN_FILES = 256
#: The exit status `script_child` uses when the script raised (its traceback is on stderr).
RAISED_EXIT = 3
#: Exit status of the child when it could not set up (no code file, bad limits).
SETUP_EXIT = 4

SCRIPT_TYPE = "script"
ADMIN_ONLY_TYPES = frozenset({SCRIPT_TYPE})
ADMIN_ONLY_MESSAGE = (
    "only admins may add, change or remove script steps ({steps}); members may run them"
)


class ScriptConfig(ActionConfig):
    """Python code run in a separate process under CPU, memory and wall-clock limits."""

    code: str = Field(
        min_length=1,
        max_length=MAX_CODE_CHARS,
        description="Python 3 code; reads its input as JSON on stdin, prints its output "
        "(JSON) on the last line of stdout",
    )
    input: Any = Field(None, description="JSON value sent on stdin (templates allowed)")
    timeout_s: float = Field(
        30.0, ge=1, le=600, allow_inf_nan=False, description="wall-clock limit (s)"
    )
    cpu_s: int = Field(10, ge=1, le=600, description="CPU-time limit (s)")
    memory_mb: int = Field(256, ge=64, le=4096, description="address-space limit (MB)")

    #: Keys that are code, not templates: neither rendered nor checked as templates.
    VERBATIM: ClassVar[tuple[str, ...]] = ("code",)


register_action_config(SCRIPT_TYPE, ScriptConfig)  # core validation knows it without the engine


@dataclass(frozen=True)
class Limits:
    """What the child gets: wall clock for the parent, resource limits for the child."""

    timeout_s: float
    cpu_s: int
    memory_bytes: int


def limits_of(config: ScriptConfig) -> Limits:
    """The limits of a run. The CPU limit never exceeds the wall clock (rounded up): a
    process cannot use more CPU time than it runs (it is single-threaded by default)."""
    cpu = min(config.cpu_s, max(1, int(-(-config.timeout_s // 1))))
    return Limits(config.timeout_s, cpu, config.memory_mb * 1_048_576)


def rlimits(limits: Limits) -> list[tuple[str, int, int]]:
    """`(resource name, soft, hard)` for the child: CPU (SIGXCPU at soft, SIGKILL one second
    later), address space, no core files, bounded files and descriptors."""
    return [
        ("RLIMIT_CPU", limits.cpu_s, limits.cpu_s + 1),
        ("RLIMIT_AS", limits.memory_bytes, limits.memory_bytes),
        ("RLIMIT_CORE", 0, 0),
        ("RLIMIT_FSIZE", MAX_FILE_BYTES, MAX_FILE_BYTES),
        ("RLIMIT_NOFILE", MAX_OPEN_FILES, MAX_OPEN_FILES),
    ]


def child_env(temp_dir: str) -> dict[str, str]:
    """The child's whole environment: no app settings, secrets or database URL."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": temp_dir,
        "TMPDIR": temp_dir,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
    }


def encode_input(value: Any) -> bytes:
    """The input as JSON bytes; `ValueError` when it is over `MAX_INPUT_BYTES`."""
    data = json.dumps(value, ensure_ascii=False, default=str).encode()
    if len(data) > MAX_INPUT_BYTES:
        raise ValueError(f"input is {len(data)} bytes as JSON; at most {MAX_INPUT_BYTES}")
    return data


def tail(text: str, limit: int) -> str:
    """The last `limit` characters of `text`, marked when cut."""
    return text if len(text) <= limit else "…" + text[-(limit - 1) :]


def parse_output(stdout: str) -> tuple[Any, str]:
    """The output (the last non-empty line, as JSON) and what was printed before it.

    Nothing printed is the output `null`. A last line that is no JSON raises `ValueError`
    naming what it was, so the step says why.
    """
    lines = stdout.rstrip("\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        return None, ""
    last = lines[-1].strip()
    try:
        value = json.loads(last)
    except ValueError:
        shown = last if len(last) <= 200 else last[:199] + "…"
        raise ValueError(
            f"the last line printed is not JSON: {shown!r} (print(json.dumps(result)) last)"
        ) from None
    return value, "\n".join(lines[:-1])


@dataclass(frozen=True)
class Outcome:
    """What a finished child means: `output` when it succeeded, else `error` (and `kind`)."""

    ok: bool
    output: dict[str, Any] | None = None
    error: str = ""
    kind: str = "error"


def outcome(
    *,
    returncode: int | None,
    stdout: str,
    stderr: str,
    limits: Limits,
    timed_out: bool = False,
    too_much: str = "",
) -> Outcome:
    """One place maps how the child ended to the step's result or error."""
    logs = tail(stderr.strip(), KEPT_LOG_CHARS)
    if too_much:
        return Outcome(False, error=f"the script printed more than {too_much}; it was stopped")
    if timed_out:
        return Outcome(
            False, error=f"timed out after {limits.timeout_s:g} s (wall clock)", kind="timeout"
        )
    if returncode in (-24, -9) and not timed_out:  # SIGXCPU at the soft limit, SIGKILL at hard
        return Outcome(False, error=f"used up its CPU time limit of {limits.cpu_s} s")
    if returncode == RAISED_EXIT:
        trace = tail(stderr.strip(), KEPT_TRACEBACK_CHARS)
        if trace.rstrip().endswith("MemoryError") or "\nMemoryError" in trace[-200:]:
            mb = limits.memory_bytes // 1_048_576
            return Outcome(False, error=f"went past its memory limit of {mb} MB\n{trace}")
        return Outcome(False, error=f"the script raised an exception:\n{trace}")
    if returncode != 0:
        how = f"signal {-returncode}" if returncode is not None and returncode < 0 else returncode
        shown = f":\n{logs}" if logs else ""
        return Outcome(False, error=f"the script exited with {how}{shown}")
    try:
        value, before = parse_output(stdout)
    except ValueError as exc:
        return Outcome(False, error=str(exc))
    return Outcome(True, {"result": value, "stdout": tail(before, KEPT_LOG_CHARS), "stderr": logs})


def script_steps(actions: Any) -> dict[str, Any]:
    """Every admin-only step of a definition's actions by id, with its whole spec (a
    `for_each`'s inner step is named `<id>.step`)."""
    found: dict[str, Any] = {}
    for action in actions if isinstance(actions, list) else []:
        if not isinstance(action, Mapping):
            continue
        step_id = str(action.get("id"))
        if action.get("type") in ADMIN_ONLY_TYPES:
            found[step_id] = _comparable(action)
        config = action.get("config")
        inner = config.get("step") if isinstance(config, Mapping) else None
        if isinstance(inner, Mapping) and inner.get("type") in ADMIN_ONLY_TYPES:
            found[f"{step_id}.step"] = _comparable(inner)
    return found


def _comparable(spec: Mapping[str, Any]) -> Any:
    """A step without its canvas position (moving a box is not changing the script)."""
    return json.dumps({k: v for k, v in spec.items() if k != "ui"}, sort_keys=True, default=str)


def script_changes(before: Any, after: Any) -> list[str]:
    """The admin-only steps that `after` adds, changes or removes compared with `before`."""
    old, new = script_steps(before), script_steps(after)
    return sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
