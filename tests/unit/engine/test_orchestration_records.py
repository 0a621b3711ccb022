"""What a call record stores: secrets masked by value and by key, bodies capped, and a body's
stored form redone once more secrets are known."""

from __future__ import annotations

import json

from app.core.redact import SecretValues
from app.engine.orchestration_records import BODY_LIMIT, CallAttempt, CallRecord, RunRecord

KEY = "sk-live-8Jd3Nf6Hq1Wz"


def _record(secrets: SecretValues) -> CallRecord:
    return CallRecord(
        id="a",
        method="GET",
        status="failed",
        url=f"https://api.example.com/x?key={KEY}",
        attempts=[CallAttempt(1, 0.0, 12.5, 500, f"failed with {KEY}", "http_5xx")],
        extracted={"token": "abc-123-def", "id": 7},
        response={"status": 500, "headers": {"x-echo": KEY}, "body": {"seen": KEY, "n": 1}},
        request={"headers": {"Authorization": "Bearer x"}, "body": "plain"},
        error=f"GET answered 500 for {KEY}",
        secrets=secrets,
    )


def test_everything_stored_is_masked_and_json_safe() -> None:
    stored = _record(SecretValues([KEY])).as_dict()
    text = json.dumps(stored)
    assert KEY not in text
    assert stored["url"] == "https://api.example.com/x?key=[redacted]"
    assert stored["attempts"][0]["error"] == "failed with [redacted]"
    assert stored["extracted"] == {"token": "[redacted]", "id": 7}  # a secret-named key
    assert stored["response"]["headers"] == {"x-echo": "[redacted]"}
    assert stored["response"]["body"] == {"seen": "[redacted]", "n": 1}
    assert stored["request"]["headers"]["Authorization"] == "[redacted]"
    assert stored["error"] == "GET answered 500 for [redacted]"


def test_a_secret_learned_later_masks_what_was_stored_before() -> None:
    secrets = SecretValues()
    record = _record(secrets)
    assert record.as_dict()["response"]["body"]["seen"] == KEY  # not known yet
    secrets.append(KEY)  # a later call loaded the connection holding it
    assert record.as_dict()["response"]["body"]["seen"] == "[redacted]"


def test_a_big_body_is_capped_and_its_stored_form_kept() -> None:
    record = _record(SecretValues())
    record.response = {"status": 200, "headers": {}, "body": {"rows": ["x" * 100] * 2000}}
    first = record.stored_body("response")
    assert first["_truncated"] is True and len(json.dumps(first)) <= BODY_LIMIT
    assert record.stored_body("response") is first  # not dumped again
    record.response = {"status": 200, "headers": {}, "body": {"rows": []}}
    assert record.stored_body("response") == {"rows": []}  # a new body: redone


def test_the_run_record_masks_its_error() -> None:
    secrets = SecretValues([KEY])
    run = RunRecord("failed", 10.0, [_record(secrets)], f'call "a" failed: {KEY}', secrets)
    assert run.as_dict()["error"] == 'call "a" failed: [redacted]'
    assert run.call("a").id == "a"
