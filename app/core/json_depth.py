"""How deeply a JSON text nests, found by one linear scan, before anything parses and walks it.

Nothing Flowdeck stores nests deeper than `MAX_JSON_DEPTH`; a body that does would only make
recursive code (validation, masking, diffs) hit Python's recursion limit. Counting brackets
outside strings is linear and needs no parse; the first `{`/`[` count is done at C speed, so
an ordinary body costs two `bytes.count` calls.
"""

from __future__ import annotations

MAX_JSON_DEPTH = 64
_OPEN, _CLOSE, _QUOTE, _ESCAPE = frozenset(b"{["), frozenset(b"}]"), ord('"'), ord("\\")


def nests_deeper_than(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text `raw` opens more than `limit` objects/arrays inside each other."""
    if raw.count(b"{") + raw.count(b"[") <= limit:
        return False
    depth, in_string, escaped = 0, False, False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _ESCAPE:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPEN:
            depth += 1
            if depth > limit:
                return True
        elif byte in _CLOSE:
            depth -= 1
    return False
