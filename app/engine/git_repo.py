"""A git repository driven by the real `git` binary: init, write files, commit, push.

Git runs as an asyncio subprocess with an explicit environment: no user or system git config
is read (`GIT_CONFIG_GLOBAL=/dev/null`, `GIT_CONFIG_NOSYSTEM=1`), nothing may prompt
(`GIT_TERMINAL_PROMPT=0`), author and committer are given. Settings for one command (the push's
auth header) travel as `GIT_CONFIG_COUNT` / `GIT_CONFIG_KEY_n` / `GIT_CONFIG_VALUE_n`
environment entries: never on the command line (other local users can read the process list),
never in `.git/config`. The remote URL is not stored either: each push names it.

A push goes to an http(s) URL only, checked like every outbound request: the URL by the
outbound address guard, the host resolved and every address checked; git is then pinned to a
checked address (`http.curloptResolve`), may not follow redirects and may use no other protocol
(`protocol.allow=never`), so it cannot be steered where the guard would refuse to go.
"""

from __future__ import annotations

import asyncio
import base64
import shutil
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpcore

from app.core.errors import IntegrationError
from app.core.redact import redact
from app.integrations.guard import check_url, resolve_checked

GIT = shutil.which("git") or "git"
DEFAULT_AUTHOR = ("Flowdeck", "flowdeck@localhost")
GIT_TIMEOUT_S = 120.0
_REFUSED_WORDS = ("could not read username", "authentication failed")
_NETWORK_WORDS = ("could not resolve", "failed to connect", "timed out", "connection refused")
_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


class GitFailed(IntegrationError):
    """A git command failed; `network` says whether trying again later may help."""

    code = "git_failed"

    def __init__(self, message: str, *, network: bool = False) -> None:
        super().__init__(message)
        self.network = network


def repo_lock(path: Path) -> asyncio.Lock:
    """One lock per repository and event loop: runs in this process commit one at a time."""
    per_loop = _locks.setdefault(asyncio.get_running_loop(), {})
    return per_loop.setdefault(str(path), asyncio.Lock())


def auth_header(token: str) -> str:
    """`Authorization: Basic …` with `x-access-token:<token>`, as GitHub's checkout does."""
    pair = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    return f"Authorization: Basic {pair}"


@dataclass(frozen=True)
class GitRepo:
    path: Path
    author: tuple[str, str] = DEFAULT_AUTHOR

    def _env(self, config: dict[str, str]) -> dict[str, str]:
        name, email = self.author
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(self.path.parent),
            "LC_ALL": "C",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": "/dev/null",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
            "GIT_CONFIG_COUNT": str(len(config)),
        }
        for index, (key, value) in enumerate(config.items()):
            env[f"GIT_CONFIG_KEY_{index}"] = key
            env[f"GIT_CONFIG_VALUE_{index}"] = value
        return env

    async def git(
        self, *args: str, config: dict[str, str] | None = None, secrets: Iterable[str] = ()
    ) -> str:
        """Run `git args…` in the repository; its stdout, or `GitFailed` with secrets masked."""
        process = await asyncio.create_subprocess_exec(
            GIT,
            *args,
            cwd=self.path,
            env=self._env(config or {}),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            async with asyncio.timeout(GIT_TIMEOUT_S):
                out, err = await process.communicate()
        except BaseException:  # timed out or the step was cancelled: leave no git behind
            if process.returncode is None:
                process.kill()
            raise
        if process.returncode != 0:
            text = str(redact(err.decode(errors="replace").strip(), list(secrets)))
            network = any(word in text.lower() for word in _NETWORK_WORDS)
            raise GitFailed(f"git {args[0]} failed: {text[-1000:]}", network=network)
        return out.decode(errors="replace").strip()

    async def ensure(self, branch: str) -> None:
        """Create the repository on first use (`git init`), with `branch` as its branch."""
        if (self.path / ".git").is_dir():
            return
        self.path.mkdir(parents=True, exist_ok=True)
        await self.git("init", "--quiet", f"--initial-branch={branch}")

    async def commit(
        self, files: dict[str, str], remove: Iterable[str], message: str
    ) -> tuple[str, bool]:
        """Write `files`, delete `remove`, commit; `(HEAD, whether a new commit was made)`."""
        for name, text in files.items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        for name in remove:
            (self.path / name).unlink(missing_ok=True)
        await self.git("add", "--all", "--", ".")
        if not await self.git("status", "--porcelain"):
            return await self.git("rev-parse", "HEAD"), False
        await self.git("commit", "--quiet", "--no-verify", "-m", message)
        return await self.git("rev-parse", "HEAD"), True

    async def push(self, url: str, branch: str, token: str) -> None:
        """Push HEAD to `branch` at `url`, authenticated with `token` in a header."""
        config = await pinned_transport(url)
        config["http.extraHeader"] = auth_header(token)
        header_value = config["http.extraHeader"].split(" ", 2)[-1]
        try:
            await self.git(
                "push",
                "--quiet",
                url,
                f"HEAD:refs/heads/{branch}",
                config=config,
                secrets=[token, header_value],
            )
        except GitFailed as exc:
            if any(word in exc.message.lower() for word in _REFUSED_WORDS):  # 401 → git asks
                refused = f"git push to {url} was refused: the token was not accepted"
                raise GitFailed(refused) from None
            raise


async def pinned_transport(url: str) -> dict[str, str]:
    """Git settings that hold a push to the checked address of `url`, over http(s) only."""
    check_url(url)
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = await resolve_checked(host, port)
    except httpcore.ConnectError as exc:
        raise GitFailed(str(exc), network=True) from None
    address = addresses[0]
    shown = f"[{address}]" if ":" in address else address
    return {
        "protocol.allow": "never",
        "protocol.http.allow": "always",
        "protocol.https.allow": "always",
        "http.followRedirects": "false",
        "http.curloptResolve": f"{host}:{port}:{shown}",
    }


def remote_url(api_base: str, repo: str) -> str:
    """The https clone URL of `owner/name` on the GitHub whose REST API is `api_base`.

    `https://api.github.com` → `https://github.com/owner/name.git`; GitHub Enterprise's
    `https://ghe.example.com/api/v3` → `https://ghe.example.com/owner/name.git`; any other
    base (a stand-in) is used as the host root.
    """
    parts = urlsplit(api_base)
    host = parts.netloc.removeprefix("api.")
    root = parts.path.rstrip("/").removesuffix("/api/v3")
    return f"{parts.scheme}://{host}{root}/{repo}.git"
