"""GitLab pipelines: triggered with a pipeline trigger token, read with an access token.

`POST {api_base}/api/v4/projects/{id}/trigger/pipeline` (form `token`, `ref`,
`variables[KEY]`) answers 201 with the pipeline (`id`, `status`, `web_url`, `ref`); a bad
token is 404 `{"message": "404 Not Found"}`, a bad ref 400 `{"message": {"base": ["Reference
not found"]}}`. Reading a pipeline (`GET /api/v4/projects/{id}/pipelines/{pipeline_id}`)
needs a personal, project or group access token in `PRIVATE-TOKEN`: optional, needed to wait
for a run's result. The check reads the project with the access token when there is one;
with only a trigger token there is no request that does not start a pipeline, so it says so.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import Field

from app.core.deploys import gitlab_project
from app.integrations.credentials import ResolvedConnection, join_url
from app.integrations.delivery import Delivery, VerifyResult
from app.integrations.ops._http import delivered, json_of
from app.integrations.platform_fields import HttpUrl, PlatformSpec, _Fields

LABEL = "GitLab"
DEFAULT_BASE = "https://gitlab.com"


class GitlabSecrets(_Fields):
    """The pipeline trigger token, and an access token to read pipelines (optional)."""

    trigger_token: str = Field(min_length=1, max_length=200, title="Pipeline trigger token")
    access_token: str | None = Field(
        None, max_length=200, title="Access token", description="read_api: to wait for results"
    )


class GitlabConfig(_Fields):
    """The project and where the API is."""

    project: str = Field(min_length=1, max_length=300, description="id or group/name")
    api_base: HttpUrl = Field(DEFAULT_BASE, title="GitLab URL")


SPEC = PlatformSpec(
    ("api_key",), {"api_key": GitlabSecrets}, GitlabConfig, {"api_key": "trigger_token"}
)


def _url(conn: ResolvedConnection, tail: str) -> str:
    project = gitlab_project(conn.config["project"])
    return join_url(
        conn.config.get("api_base") or DEFAULT_BASE, f"/api/v4/projects/{project}{tail}"
    )


def _detail(response: httpx.Response) -> str:
    data = json_of(response)
    return str(data.get("message") or data.get("error") or "") if isinstance(data, dict) else ""


async def trigger(
    client: httpx.AsyncClient, conn: ResolvedConnection, form: dict[str, str]
) -> tuple[Delivery, dict[str, Any]]:
    response = await client.post(_url(conn, "/trigger/pipeline"), data=form)
    data = json_of(response)
    return delivered(response, LABEL, _detail(response)), data if isinstance(data, dict) else {}


async def pipeline(
    client: httpx.AsyncClient, conn: ResolvedConnection, pipeline_id: int
) -> tuple[Delivery, dict[str, Any]]:
    headers = {"PRIVATE-TOKEN": conn.credentials.get("access_token") or ""}
    response = await client.get(_url(conn, f"/pipelines/{int(pipeline_id)}"), headers=headers)
    data = json_of(response)
    return delivered(response, LABEL, _detail(response)), data if isinstance(data, dict) else {}


async def verify(conn: ResolvedConnection, client: httpx.AsyncClient) -> VerifyResult:
    token = conn.credentials.get("access_token")
    if not token:
        return VerifyResult(
            False,
            "not checked: a trigger token can only start pipelines; add an access token "
            "(read_api) to check the connection and to wait for results",
        )
    response = await client.get(_url(conn, ""), headers={"PRIVATE-TOKEN": token})
    data = json_of(response)
    if response.is_success and isinstance(data, dict):
        return VerifyResult(True, f"GitLab project {data.get('path_with_namespace')}", 200)
    result = delivered(response, LABEL, _detail(response))
    return VerifyResult(False, result.error or "refused", response.status_code)
