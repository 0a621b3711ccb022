"""What each platform needs, how bodies are split into secrets and config, and how a
connection builds its URL and auth. Pure: no database, no network."""

from __future__ import annotations

import base64

import pytest

from app.core.errors import InvalidInput, ValidationFailed
from app.integrations.credentials import ResolvedConnection, join_url
from app.integrations.platforms import PLATFORMS, SPECS, parse_connection, secret_field_names

HOOK = "https://hooks.slack.com/services/T1/B1/abcdefghijklmnop"


@pytest.mark.parametrize(
    ("body", "conn_type", "credentials", "config"),
    [
        ({"platform": "slack", "webhookUrl": HOOK}, "webhook", {"webhook_url": HOOK},
         {"test_message": "Flowdeck connection check"}),
        ({"platform": "n8n", "credentials": {"webhookUrl": HOOK}, "config": {"testPath": "/t"}},
         "webhook", {"webhook_url": HOOK},
         {"test_method": "POST", "test_path": "/t", "test_body": {"test": True}}),
        ({"platform": "zapier", "webhook_url": HOOK}, "webhook", {"webhook_url": HOOK},
         {"test_method": "POST", "test_body": {"test": True}}),
        ({"platform": "telegram", "credentials": {"bot_token": "1:AbC-d_e"}}, "api_key",
         {"bot_token": "1:AbC-d_e"}, {"api_base": "https://api.telegram.org"}),
        ({"platform": "github", "credentials": {"token": "ghp_x"}, "config": {"repo": "a/b"}},
         "oauth", {"token": "ghp_x"}, {"api_base": "https://api.github.com", "repo": "a/b"}),
        ({"platform": "github", "connectionType": "api_key", "config": {"token": "t"}},
         "api_key", {"token": "t"}, {"api_base": "https://api.github.com"}),
        ({"platform": "smtp", "credentials": {"host": "mx", "fromAddress": "a@b"}}, "smtp", {},
         {"host": "mx", "port": 587, "security": "starttls", "from_address": "a@b",
          "timeout_s": 10.0}),
        ({"platform": "http", "connectionType": "basic",
          "credentials": {"username": "u", "password": "p"}, "config": {"base_url": "http://x"}},
         "basic", {"username": "u", "password": "p"},
         {"base_url": "http://x", "header_name": "X-API-Key", "test_method": "GET",
          "test_path": ""}),
    ],
)  # fmt: skip
def test_bodies_per_platform(body: dict, conn_type: str, credentials: dict, config: dict) -> None:
    spec = parse_connection({"name": " n ", **body})
    assert spec.name == "n"
    assert spec.connection_type == conn_type
    assert spec.credentials == credentials
    assert spec.config == config


@pytest.mark.parametrize(
    ("body", "problems"),
    [
        ({}, {"name": "required", "platform": "must be one of " + ", ".join(PLATFORMS)}),
        ({"name": "n", "platform": "slack", "connectionType": "oauth"},
         {"connection_type": "slack connections use webhook"}),
        ({"name": "n", "platform": "telegram", "webhookUrl": HOOK},
         {"webhook_url": "telegram connections have no webhook URL",
          "credentials.bot_token": "required"}),
        ({"name": "n" * 201, "platform": "slack", "webhookUrl": "hooks.slack.com/x"},
         {"name": "at most 200 characters",
          "credentials.webhook_url": "must be an http:// or https:// URL"}),
        ({"name": "n", "platform": "smtp", "credentials": {"password": "p"},
          "config": {"host": "h", "from_address": "nope", "port": 0}},
         {"credentials": "give both username and password, or neither (no login)",
          "config.from_address": "string should match pattern '^[^@\\s]+@[^@\\s]+$'",
          "config.port": "input should be greater than or equal to 1"}),
        ({"name": "n", "platform": "github", "credentials": {"token": "t", "extra": 1}},
         {"credentials.extra": "unknown field"}),
    ],
)  # fmt: skip
def test_problems_have_paths(body: dict, problems: dict[str, str]) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_connection(body)
    assert {p.path: p.message for p in caught.value.problems} == problems


@pytest.mark.parametrize(
    ("secret", "hint"),
    [("1234567890:ABCDEFGHIJKLMNOP", "MNOP"), ("12:short", ""), ("1:ABCDEFGHIJ", "GHIJ")],
)
def test_secret_hint_only_for_long_secrets(secret: str, hint: str) -> None:
    spec = parse_connection(
        {"name": "t", "platform": "telegram", "credentials": {"bot_token": secret}}
    )
    assert spec.secret_hint == hint


def test_every_platform_has_its_secret_fields() -> None:
    assert secret_field_names("slack", "webhook") == ["webhook_url"]
    assert secret_field_names("http", "basic") == ["username", "password"]
    for platform, spec in SPECS.items():
        for conn_type in spec.types:
            assert spec.main_secret[conn_type] in secret_field_names(platform, conn_type)


@pytest.mark.parametrize(
    ("base", "url", "joined"),
    [
        ("https://api.x.com/v1", "/users", "https://api.x.com/v1/users"),
        ("https://api.x.com/v1/", "users?a=1", "https://api.x.com/v1/users?a=1"),
        ("https://hooks.x.com/T/B/secret", "", "https://hooks.x.com/T/B/secret"),
        ("https://hooks.x.com/T/B/secret", "/", "https://hooks.x.com/T/B/secret"),
        ("https://hooks.x.com/T/B/secret", "?thread=1", "https://hooks.x.com/T/B/secret?thread=1"),
        ("https://api.x.com/v1", "//evil.com/x", "https://api.x.com/v1/evil.com/x"),
        ("https://api.x.com/v1", "https://api.x.com/v1/me", "https://api.x.com/v1/me"),
    ],
)
def test_join_url(base: str, url: str, joined: str) -> None:
    assert join_url(base, url) == joined


@pytest.mark.parametrize(
    "url", ["https://evil.com/x", "https://api.x.com/v1evil", "https://api.x.com/other"]
)
def test_absolute_urls_elsewhere_are_refused(url: str) -> None:
    with pytest.raises(InvalidInput, match="path relative to the connection's base URL"):
        join_url("https://api.x.com/v1", url, connection="c")


def _conn(platform: str, conn_type: str, credentials: dict, config: dict) -> ResolvedConnection:
    return ResolvedConnection(1, "c", platform, conn_type, config, credentials)


def test_urls_and_auth_per_platform() -> None:
    tg = _conn("telegram", "api_key", {"bot_token": "1:tok"}, {"api_base": "http://tg/"})
    assert tg.url_for("getMe") == "http://tg/bot1:tok/getMe" and tg.auth_headers() == {}
    gh = _conn("github", "oauth", {"token": "ghp"}, {"api_base": "https://gh"})
    assert gh.auth_headers()["Authorization"] == "Bearer ghp"
    assert gh.auth_headers()["Accept"] == "application/vnd.github+json"
    key = _conn("http", "api_key", {"api_key": "k"}, {"base_url": "http://s", "header_name": "X-K"})
    assert key.auth_headers() == {"X-K": "k"}
    basic = _conn("http", "basic", {"username": "u", "password": "p"}, {"base_url": "http://s"})
    token = base64.b64encode(b"u:p").decode()
    assert basic.auth_headers() == {"Authorization": f"Basic {token}"}
    assert token in basic.secret_values()
    bearer = _conn("http", "oauth", {"token": "t"}, {"base_url": "http://s"})
    assert bearer.auth_headers() == {"Authorization": "Bearer t"}
    slack = _conn("slack", "webhook", {"webhook_url": HOOK}, {})
    assert slack.url_for("") == HOOK
    assert slack.secret_values() == [HOOK, "/services/T1/B1/abcdefghijklmnop", "abcdefghijklmnop"]
    smtp = _conn("smtp", "smtp", {}, {"host": "mx"})
    with pytest.raises(InvalidInput, match="not an HTTP service"):
        smtp.url_for("/x")
    assert "1:tok" not in repr(tg)


def test_the_platforms_start_with_ours_and_include_the_metric_sources() -> None:
    assert PLATFORMS[:7] == ("n8n", "zapier", "slack", "telegram", "github", "smtp", "http")
    assert {"plausible", "umami", "search_console"} <= set(PLATFORMS)
    assert all(len(name) <= 16 for name in PLATFORMS)  # Connection.platform's width
