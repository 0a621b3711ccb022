"""`make run` must leave the checkout clean: the committed `reflex.lock/package.json` is
byte for byte what Reflex and npm write there.

How it is written (reflex 0.9, `reflex/utils/frontend_skeleton.py` and `js_runtimes.py`): on a
fresh `.web`, Reflex renders `.web/package.json` from the persisted file with
`_compile_package_json()` (keys in the template's order: name, type, scripts, dependencies,
devDependencies, overrides, then any others); `npm add` rewrites it keeping that key order
and the file's style (a one-line file stays compact JSON without a final newline); then
`sync_web_lockfiles_to_root()` copies it back over `reflex.lock/package.json`. A committed file
in another key order (as before) came back rewritten with the same content.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reflex.utils import frontend_skeleton

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "reflex.lock" / "package.json"


def _as_npm_writes_it(rendered: str) -> str:
    """npm keeps key order and the one-line style: JSON.stringify(content) with no indent."""
    return json.dumps(json.loads(rendered), separators=(",", ":"), ensure_ascii=False)


def test_the_committed_package_json_is_what_reflex_writes_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)  # Reflex reads `reflex.lock/` relative to the working directory
    rendered = frontend_skeleton._compile_package_json()
    committed = COMMITTED.read_text()
    assert json.loads(rendered) == json.loads(committed)  # same content, framework scripts too
    assert committed == _as_npm_writes_it(rendered), (
        "reflex.lock/package.json is not in the order/format `make run` writes; replace it "
        "with the output of this test's _as_npm_writes_it(_compile_package_json())"
    )


def test_the_check_notices_another_key_order() -> None:
    """Guards the test above: the same content in another order must not pass."""
    content = json.loads(COMMITTED.read_text())
    reordered = {"dependencies": content.pop("dependencies"), **content}
    assert _as_npm_writes_it(json.dumps(reordered)) != COMMITTED.read_text()
