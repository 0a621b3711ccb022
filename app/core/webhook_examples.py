"""A curl command that calls a workflow's webhook, signed the way the hook expects. Pure.

An unsigned hook gets one line; a signed one a few lines of shell that compute the signature
with `openssl` from `$SECRET` (the secret itself never appears in the example):

- `github`: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`;
- `flowdeck`: `X-Flowdeck-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + body>`.
"""

from __future__ import annotations

import shlex

SIGNATURES = ("none", "github", "flowdeck")
SAMPLE_BODY = '{"hello": "world"}'
_HMAC = "openssl dgst -sha256 -hmac \"$SECRET\" | sed 's/^.* //'"


def curl_example(url: str, signature: str = "none", body: str = SAMPLE_BODY) -> str:
    """The shell lines that POST `body` to `url`; "" without a URL."""
    if not url:
        return ""
    call = (
        f"curl -X POST {shlex.quote(url)} -H 'Content-Type: application/json' "
        "-H 'Idempotency-Key: demo-1'"
    )
    if signature == "github":
        return "\n".join(
            [
                f"body={shlex.quote(body)}",
                f"sig=$(printf '%s' \"$body\" | {_HMAC})",
                f'{call} -H "X-Hub-Signature-256: sha256=$sig" --data-binary "$body"',
            ]
        )
    if signature == "flowdeck":
        return "\n".join(
            [
                f"body={shlex.quote(body)}",
                "t=$(date +%s)",
                f'sig=$(printf \'%s.%s\' "$t" "$body" | {_HMAC})',
                f'{call} -H "X-Flowdeck-Signature: t=$t,v1=$sig" --data-binary "$body"',
            ]
        )
    return f"{call} -d {shlex.quote(body)}"


def needs_secret(signature: str) -> bool:
    """Whether a hook with this signature scheme has a secret to set (unsigned ones do not)."""
    return signature in ("github", "flowdeck")
