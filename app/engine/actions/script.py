"""`script`: Python code run in a separate process, never in Flowdeck's.

Config (`app.core.scripts.ScriptConfig`): `code`, `input` (templates allowed; rendered by the
runner, sent as JSON on stdin), `timeout_s` (wall clock), `cpu_s`, `memory_mb`. The code is
not a template: it is kept as written.

The child is `python -I app/engine/script_child.py` in a new session (its own process group),
in a temp directory removed afterwards, with an environment of PATH/HOME/LANG only (no app
settings, secrets or `DATABASE_URL`). It sets its own CPU, address-space, file and descriptor
limits. The parent reads stdout and stderr up to their caps on the event loop (asyncio
subprocess: nothing blocks), kills the whole group past the wall clock, the caps, a
cancelled run or a step timeout, and maps how it ended to a result in one place
(`app.core.scripts.outcome`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

from app.core.scripts import (
    MAX_STDERR_BYTES,
    MAX_STDOUT_BYTES,
    SCRIPT_TYPE,
    Limits,
    ScriptConfig,
    child_env,
    encode_input,
    limits_of,
    outcome,
    rlimits,
)
from app.engine.actions import StepContext, action
from app.engine.failures import ActionFailed

CHILD = Path(__file__).resolve().parent.parent / "script_child.py"


class _Capped:
    """A stream read to its cap; `over` once the child printed more."""

    def __init__(self, cap: int) -> None:
        self.cap, self.data, self.over = cap, bytearray(), False

    async def read(self, stream: asyncio.StreamReader, stop: asyncio.Event) -> None:
        while chunk := await stream.read(65_536):
            if len(self.data) + len(chunk) > self.cap:
                self.over = True
                stop.set()
                return
            self.data += chunk

    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


async def _feed(stdin: asyncio.StreamWriter | None, data: bytes) -> None:
    """Write the input; a script that never reads it (or exits first) is not an error."""
    if stdin is None:
        return
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        stdin.write(data)
        await stdin.drain()
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        stdin.close()


async def run_script(code: str, payload: bytes, limits: Limits) -> dict[str, Any]:
    """Run `code` with `payload` on stdin under `limits`; its output, or `ActionFailed`."""
    work = await asyncio.to_thread(tempfile.mkdtemp, prefix="flowdeck-script-")
    proc: asyncio.subprocess.Process | None = None
    try:
        await asyncio.to_thread(Path(work, "script.py").write_text, code, "utf-8")
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-I",
            str(CHILD),
            json.dumps(rlimits(limits)),
            cwd=work,
            env=child_env(work),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,
            close_fds=True,
        )
        out, err, stop = _Capped(MAX_STDOUT_BYTES), _Capped(MAX_STDERR_BYTES), asyncio.Event()
        assert proc.stdout is not None and proc.stderr is not None
        work_done = asyncio.gather(
            _feed(proc.stdin, payload),
            out.read(proc.stdout, stop),
            err.read(proc.stderr, stop),
            proc.wait(),
        )
        stopped = asyncio.ensure_future(stop.wait())
        done, _ = await asyncio.wait(
            {work_done, stopped}, timeout=limits.timeout_s, return_when=asyncio.FIRST_COMPLETED
        )
        timed_out = not done
        if work_done not in done:
            _kill_group(proc.pid)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(work_done, 5)
        stopped.cancel()
        too_much = ""
        if out.over:
            too_much = f"{MAX_STDOUT_BYTES // 1024} KB on stdout"
        elif err.over:
            too_much = f"{MAX_STDERR_BYTES // 1024} KB on stderr"
        result = outcome(
            returncode=proc.returncode,
            stdout=out.text(),
            stderr=err.text(),
            limits=limits,
            timed_out=timed_out and not too_much,
            too_much=too_much,
        )
    finally:
        if proc is not None:
            _kill_group(proc.pid)  # whatever it started in its group goes with it
            if proc.returncode is None:
                with contextlib.suppress(Exception):
                    await asyncio.shield(proc.wait())
        await asyncio.to_thread(shutil.rmtree, work, True)
    if not result.ok:
        raise ActionFailed(result.error, kind=result.kind)
    assert result.output is not None
    return result.output


@action(
    SCRIPT_TYPE,
    ScriptConfig,
    "Run Python code in a separate, limited process (input as JSON on stdin, output as "
    "JSON on the last line of stdout)",
    unrendered=ScriptConfig.VERBATIM,
)
async def run(step: StepContext, config: ScriptConfig) -> dict[str, Any]:
    try:
        payload = encode_input(config.input)
    except ValueError as exc:
        raise ActionFailed(str(exc), kind="validation") from None
    return await run_script(config.code, payload, limits_of(config))
