"""The child side of a `script` step, run as `python -I script_child.py <limits JSON>`.

It imports nothing of Flowdeck (the child runs isolated, `-I`, with an empty environment):
it sets its own resource limits (`resource.setrlimit`, so the parent needs no `preexec_fn`,
which is unsafe in a process with threads), then runs `script.py` from its working directory
as `__main__`. stdin, stdout and stderr are the script's. An exception prints the script's
traceback (without this file's frames) and exits with 3; a setup failure exits with 4.
"""

import json
import resource
import sys
import traceback

RAISED_EXIT = 3
SETUP_EXIT = 4


def _limit(limits: list) -> None:
    for name, soft, hard in limits:
        resource.setrlimit(getattr(resource, name), (soft, hard))


def main() -> int:
    try:
        _limit(json.loads(sys.argv[1]))
        with open("script.py", encoding="utf-8") as handle:
            code = compile(handle.read(), "script.py", "exec")
    except SyntaxError:
        traceback.print_exc(limit=0)
        return RAISED_EXIT
    except Exception as exc:  # noqa: BLE001 (reported to the parent, which names it)
        print(f"script setup failed: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        return SETUP_EXIT
    try:
        exec(code, {"__name__": "__main__", "__file__": "script.py"})  # noqa: S102
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except BaseException as exc:  # noqa: BLE001
        tb = exc.__traceback__.tb_next if exc.__traceback__ else None  # drop this file's frame
        try:
            traceback.print_exception(type(exc), exc, tb)
        except MemoryError:
            print("MemoryError", file=sys.stderr)
        return RAISED_EXIT
    return 0


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    sys.exit(status)
