"""The webhook page's curl example works as written: run by bash (curl and openssl) against a
loopback server that checks the signature the way Flowdeck's webhook route does."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.core.signatures import verify_flowdeck, verify_github
from app.core.webhook_examples import SAMPLE_BODY, curl_example, needs_secret

SECRET = "s3cret-for-the-example"
pytestmark = pytest.mark.skipif(
    not (shutil.which("curl") and shutil.which("openssl")), reason="needs curl and openssl"
)


class _Receiver(BaseHTTPRequestHandler):
    seen: list[dict[str, object]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.seen.append(
            {
                "body": body,
                "github": verify_github(SECRET, body, self.headers.get("X-Hub-Signature-256")),
                "flowdeck": verify_flowdeck(
                    SECRET, body, self.headers.get("X-Flowdeck-Signature"), time.time()
                ),
                "type": self.headers.get("Content-Type"),
            }
        )
        self.send_response(202)
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        return


@pytest.fixture
def receiver() -> Iterator[str]:
    _Receiver.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/hooks/abc?x=1&y=2"
    server.shutdown()


def _run(script: str, secret: str = SECRET) -> None:
    env = {**os.environ, "SECRET": secret}
    done = subprocess.run(["bash", "-c", script], env=env, capture_output=True, timeout=30)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("signature", ["none", "github", "flowdeck"])
def test_the_example_reaches_the_hook_signed_as_it_expects(receiver: str, signature: str) -> None:
    _run(curl_example(receiver, signature))
    [got] = _Receiver.seen
    assert got["body"] == SAMPLE_BODY.encode() and got["type"] == "application/json"
    assert got["github"] is (signature == "github")
    assert got["flowdeck"] is (signature == "flowdeck")


def test_a_wrong_secret_is_refused_so_the_check_means_something(receiver: str) -> None:
    _run(curl_example(receiver, "github"), secret="not-it")
    _run(curl_example(receiver, "flowdeck"), secret="not-it")
    assert [s["github"] or s["flowdeck"] for s in _Receiver.seen] == [False, False]


def test_no_url_no_example_and_only_signed_hooks_have_a_secret() -> None:
    assert curl_example("", "github") == ""
    assert [needs_secret(s) for s in ("none", "github", "flowdeck")] == [False, True, True]
    assert "$SECRET" in curl_example("http://h/x", "flowdeck")
    assert "SECRET" not in curl_example("http://h/x", "none")
