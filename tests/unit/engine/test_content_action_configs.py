"""The content actions' config models and pure helpers: no database, network or git."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from app.core.errors import ValidationFailed
from app.core.workflow import parse_action_config
from app.engine import actions
from app.engine.actions.git_commit import article_files
from app.engine.content import target_article_id
from app.engine.git_repo import auth_header, remote_url


def _problems(action_type: str, config: dict[str, Any]) -> str:
    with pytest.raises(ValidationFailed) as error:
        parse_action_config(action_type, config)
    return error.value.message


def test_every_domain_action_is_registered() -> None:
    names = set(actions.action_types())
    assert {"publish", "share", "monitor", "optimize", "notify", "api_call", "git_commit"} <= names


@pytest.mark.parametrize(
    ("action_type", "config", "expected"),
    [
        ("publish", {}, {"article": None, "connection": None, "path": ""}),
        ("publish", {"article": "7", "connection": "cms"}, {"article": 7, "connection": "cms"}),
        ("share", {"connections": [1, "slack"], "message": "hi", "failOnAny": True},
         {"connections": [1, "slack"], "fail_on_any": True}),
        ("share", {"platforms": ["telegram"], "message": "hi"}, {"platforms": ["telegram"]}),
        ("monitor", {"urls": ["https://x.io"], "jsonPaths": {"n": "https://x.io/api|$.n"},
                     "thresholds": {"n": {"max": 5}, "latency_ms": {"min": 0}}},
         {"json_paths": {"n": "https://x.io/api|$.n"}}),
        ("optimize", {"keywords": ["a"], "apply": True}, {"keywords": ["a"], "apply": True}),
        ("notify", {"alert": 3, "message": "m", "severity": "critical"},
         {"alert": 3, "severity": "critical"}),
        ("git_commit", {"message": "m", "author": "Ada <ada@example.com>", "branch": "content/x"},
         {"author": "Ada <ada@example.com>", "branch": "content/x"}),
    ],
)  # fmt: skip
def test_configs_accept_camel_and_snake_case(
    action_type: str, config: dict[str, Any], expected: dict[str, Any]
) -> None:
    parsed = parse_action_config(action_type, config).model_dump()
    assert {key: parsed[key] for key in expected} == expected


@pytest.mark.parametrize(
    ("action_type", "config", "problem"),
    [
        ("publish", {"connection": True}, "config.connection: must be a connection id or name"),
        ("publish", {"articel": 1}, "config.articel: unknown field"),
        ("share", {"message": "hi"}, "name at least one connection (or platform)"),
        ("share", {"platforms": ["twitter", "myspace"]},
         "config.platforms: 'myspace' is not a platform to share on"),
        ("monitor", {}, "give metrics, urls or json_paths to measure"),
        ("monitor", {"metrics": ["ranking", "likes"]}, "config.metrics[1]: input should be"),
        ("monitor", {"metrics": ["traffic"], "thresholds": {"ranking.position": {"max": 3}}},
         "thresholds for unknown values ['ranking.position']"),
        ("monitor", {"urls": ["ftp://x.io"]}, "must start with http:// or https://"),
        ("monitor", {"jsonPaths": {"n": "https://x.io"}}, "write it as URL|$.path.to.value"),
        ("monitor", {"jsonPaths": {"status": "https://x.io|$.a"}}, "'status' cannot name a value"),
        ("monitor", {"urls": ["https://x.io"], "thresholds": {"up": {}}}, "give max, min or both"),
        ("monitor", {"urls": ["https://x.io"], "thresholds": {"up": {"min": 2, "max": 1}}},
         "min is above max"),
        ("notify", {"message": "m", "severity": "loud"}, "config.severity"),
        ("git_commit", {"author": "nobody"}, "write it as Name <email@example.com>"),
        ("git_commit", {"branch": "../main"}, "config.branch"),
        ("git_commit", {"branch": "--force"}, "config.branch"),
    ],
)  # fmt: skip
def test_bad_configs_name_the_problem(
    action_type: str, config: dict[str, Any], problem: str
) -> None:
    assert problem in _problems(action_type, config)


@pytest.mark.parametrize(
    ("configured", "trigger", "article_id"),
    [(5, {"article_id": 9}, 5), (None, {"article_id": 9}, 9), (None, {"article_id": "12"}, 12)],
)
def test_the_article_comes_from_the_config_or_the_trigger(
    configured: int | None, trigger: dict, article_id: int
) -> None:
    assert target_article_id(configured, trigger) == article_id


@pytest.mark.parametrize("trigger", [{}, {"article_id": True}, {"article_id": "x"}, []])
def test_no_article_id_is_a_clear_problem(trigger: Any) -> None:
    with pytest.raises(ValidationFailed, match="config.article: required"):
        target_article_id(None, trigger)


ARTICLE = {
    "id": 4, "title": 'Say "hi": a guide', "slug": "say-hi", "status": "published",
    "tags": ["a", "b"], "meta_description": "Line one\nline two", "published_at": None,
    "body": "# Hi\n\nText.\n\n", "created_at": "2024-01-01T00:00:00+00:00",
    "version": {"version_number": 3, "change_type": "published", "commit_hash": "ab" * 32},
}  # fmt: skip


def test_article_files_front_matter_and_json() -> None:
    files = article_files(ARTICLE)
    assert sorted(files) == ["articles/4-say-hi.json", "articles/4-say-hi.md"]
    markdown = files["articles/4-say-hi.md"]
    assert markdown == (
        "---\n"
        "id: 4\n"
        'title: "Say \\"hi\\": a guide"\n'
        'slug: "say-hi"\n'
        'status: "published"\n'
        'tags: ["a", "b"]\n'
        'meta_description: "Line one\\nline two"\n'
        "published_at: null\n"
        "version: 3\n"
        f'content_hash: "{"ab" * 32}"\n'
        "---\n\n# Hi\n\nText.\n"
    )
    document = json.loads(files["articles/4-say-hi.json"])
    assert document["body"] == ARTICLE["body"] and document["version"]["version_number"] == 3


@pytest.mark.parametrize(
    ("api_base", "url"),
    [
        ("https://api.github.com", "https://github.com/o/r.git"),
        ("https://api.github.com/", "https://github.com/o/r.git"),
        ("https://ghe.example.com/api/v3", "https://ghe.example.com/o/r.git"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/o/r.git"),
    ],
)
def test_remote_url_from_the_api_base(api_base: str, url: str) -> None:
    assert remote_url(api_base, "o/r") == url


def test_the_token_travels_as_github_expects() -> None:
    header = auth_header("ghp_x")
    assert header.startswith("Authorization: Basic ")
    assert base64.b64decode(header.split()[-1]).decode() == "x-access-token:ghp_x"
