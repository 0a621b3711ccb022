"""What a step does, in one line: its type's key settings, read from its config as written.

`summarise("api_call", {"method": "POST", "url": "https://api.example.com/orders"})` gives
`POST https://api.example.com/orders`. The workflow page shows it per step, above the full
config (`shown_config`, secrets masked). Pure: configs are read as stored (values may still be
templates, and a broken or half-written config gives what can be said, never an error).

One describer per registered step type, in `DESCRIBERS`; a test checks that every type the
engine registers has one, so a new type cannot ship without its line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from app.core.redact import REDACTED, is_secret_key, redact
from app.core.step_summary_ops import OPS_DESCRIBERS
from app.core.step_wording import (
    Describer,
    article_text,
    clip,
    name_list,
    ref_text,
    seconds_text,
    timeout_text,
    value_text,
)

MAX_LINE = 200  # characters of a summary line
MAX_CONFIG_CHARS = 20_000  # characters of the expandable config


def summarise(step_type: str, config: Any) -> str:
    """One line saying what a step of `step_type` with `config` does."""
    describe = DESCRIBERS.get(step_type)
    settings = config if isinstance(config, Mapping) else {}
    text = describe(settings) if describe else f"{step_type} step"
    return clip(" ".join(text.split()), MAX_LINE)


def shown_config(config: Any) -> str:
    """The config as indented JSON for reading, with secrets masked: values under secret key
    names (`password`, `Authorization`, …) and credentials or secret query values in URLs."""
    text = json.dumps(_mask_urls(redact(config)), indent=2, ensure_ascii=False, default=str)
    if len(text) > MAX_CONFIG_CHARS:
        return text[:MAX_CONFIG_CHARS] + f"\n… [{len(text) - MAX_CONFIG_CHARS:,} more characters]"
    return text


def masked_url(url: str) -> str:
    """`url` without a password (`user:pass@`) or the values of secret-named query keys."""
    if "://" not in url or "{{" in url.split("://", 1)[0]:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    netloc = parts.netloc
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.split(':', 1)[0]}:{REDACTED}@{host}" if ":" in user else netloc
    query = parts.query
    if query and any(is_secret_key(k) for k, _ in parse_qsl(query, keep_blank_values=True)):
        query = "&".join(
            f"{k}={REDACTED}" if is_secret_key(k) else f"{k}={v}" if v or "=" in pair else k
            for pair in query.split("&")
            for k, _, v in [pair.partition("=")]
        )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _mask_urls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _mask_urls(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_urls(v) for v in value]
    if isinstance(value, str) and "://" in value:
        return _URL.sub(lambda m: masked_url(m.group(0)), value)
    return value


_URL = re.compile(r"https?://[^\s\"'<>]+")


# -- one describer per step type --------------------------------------------------------------


def _api_call(c: Mapping[str, Any]) -> str:
    method = str(c.get("method") or "GET").upper()
    url = masked_url(str(c.get("url") or "")) if isinstance(c.get("url"), str) else ""
    line = f"{method} {clip(url, 100) or '(no URL)'}"
    if c.get("connection") not in (None, ""):
        line += f" on {ref_text(c['connection'], 'connection')}"
    if isinstance(c.get("query"), dict) and c["query"]:
        line += f" · query {name_list(list(c['query']))}"
    if c.get("json") is not None:
        line += " · JSON body"
    elif c.get("body") not in (None, ""):
        line += " · text body"
    expected = c.get("expected_status")
    if isinstance(expected, list) and expected:
        line += f" · expects {name_list(expected)}"
    return line + timeout_text(c)


def _transform(c: Mapping[str, Any]) -> str:
    values = c.get("values")
    if not isinstance(values, dict) or not values:
        return "Sets no values"
    return f"Sets {name_list(list(values))}"


def _delay(c: Mapping[str, Any]) -> str:
    return f"Waits {seconds_text(c.get('seconds'))}"


def _wait(c: Mapping[str, Any]) -> str:
    if c.get("webhook") is True:
        limit = c.get("timeout_s")
        return "Waits for a call to its webhook" + (
            f", at most {seconds_text(limit)}" if limit not in (None, "") else ""
        )
    if c.get("until") not in (None, ""):
        return f"Waits until {value_text(c['until'])}"
    return f"Waits {seconds_text(c.get('seconds'))}"


def _for_each(c: Mapping[str, Any]) -> str:
    items = c.get("items")
    source = f"{len(items)} items" if isinstance(items, list) else value_text(items)
    inner = c.get("step") if isinstance(c.get("step"), Mapping) else {}
    kind = str(inner.get("type") or "?")
    what = summarise(kind, inner.get("config")) if kind in DESCRIBERS else f"{kind} step"
    at_once = c.get("concurrency")
    limit = f" ({at_once} at a time)" if isinstance(at_once, int) and at_once > 1 else ""
    return f"For each of {source}{limit}: {kind} · {what}"


def _if(c: Mapping[str, Any]) -> str:
    return f"If {value_text(c.get('condition'))} → true, else false"


def _switch(c: Mapping[str, Any]) -> str:
    cases = c.get("cases") if isinstance(c.get("cases"), dict) else {}
    return f"Switch on {value_text(c.get('value'))}: {name_list(list(cases))}, else default"


def _merge(c: Mapping[str, Any]) -> str:
    if c.get("mode") == "append":
        return "Merges the outputs it depends on into one list"
    return "Merges the outputs it depends on into one object"


def _approval(c: Mapping[str, Any]) -> str:
    who = name_list(c.get("approvers"), "nobody")
    line = f"Asks {who} to approve “{value_text(c.get('message'))}”"
    if c.get("timeout_s") not in (None, ""):
        verdict = "approves" if c.get("on_timeout") == "approve" else "rejects"
        line += f" · {verdict} after {seconds_text(c['timeout_s'])}"
    return line


def _notify(c: Mapping[str, Any]) -> str:
    if c.get("alert") not in (None, ""):
        via = ref_text(c["alert"], "alert")
    elif c.get("connection") not in (None, ""):
        via = ref_text(c["connection"], "connection")
    else:
        via = "(no alert or connection)"
    severity = c.get("severity") or "info"
    return f"Sends {value_text(severity, 10)} “{value_text(c.get('message'))}” via {via}"


def _publish(c: Mapping[str, Any]) -> str:
    line = f"Publishes {article_text(c)}"
    if c.get("connection") not in (None, ""):
        line += f" to {ref_text(c['connection'], 'connection')}"
        if c.get("path"):
            line += f" at {value_text(c['path'])}"
    return line + timeout_text(c)


def _share(c: Mapping[str, Any]) -> str:
    targets = [*(c.get("platforms") or []), *(c.get("connections") or [])]
    line = f"Shares {article_text(c)} to {name_list(targets, 'no target')}"
    if c.get("message"):
        line += f": “{value_text(c['message'])}”"
    return line + (" · fails if any post fails" if c.get("fail_on_any") else "")


def _optimize(c: Mapping[str, Any]) -> str:
    keywords = c.get("keywords")
    line = f"Checks {article_text(c)} for SEO"
    if isinstance(keywords, list) and keywords:
        line += f" (keywords {name_list(keywords)})"
    return line + (" and applies the fixes" if c.get("apply") else ", suggests fixes")


def _monitor(c: Mapping[str, Any]) -> str:
    metrics = name_list(c.get("metrics") or ["ranking", "traffic", "engagement"])
    line = f"Measures {metrics} of {article_text(c)} over {c.get('window_days') or 7} days"
    if isinstance(c.get("urls"), list) and c["urls"]:
        line += f" · checks {len(c['urls'])} URL(s)"
    if isinstance(c.get("thresholds"), dict) and c["thresholds"]:
        line += f" · thresholds on {name_list(list(c['thresholds']))}"
    return line


def _git_commit(c: Mapping[str, Any]) -> str:
    line = f"Commits {article_text(c)} to branch {value_text(c.get('branch') or 'main', 40)}"
    if c.get("connection") not in (None, ""):
        line += f" of {ref_text(c['connection'], 'connection')}"
    return line


def _send_email(c: Mapping[str, Any]) -> str:
    to = c.get("to")
    line = f"Emails {name_list(to) if isinstance(to, list) else value_text(to)}"
    if c.get("template"):
        line += f" with template {value_text(c['template'], 40)}"
    if c.get("subject"):
        line += f": “{value_text(c['subject'])}”"
    return line


def _orchestration(c: Mapping[str, Any]) -> str:
    inputs = c.get("inputs")
    line = f"Runs orchestration {value_text(c.get('orchestration_id'), 20)}"
    return line + (
        f" with {name_list(list(inputs))}" if isinstance(inputs, dict) and inputs else ""
    )


def _sub_workflow(c: Mapping[str, Any]) -> str:
    target = f"workflow {value_text(c.get('workflow_id'), 20)}"
    if c.get("wait") is False:
        return f"Starts {target} and goes on without waiting"
    return f"Runs {target} and waits for its outputs"


def _script(c: Mapping[str, Any]) -> str:
    code = c.get("code") if isinstance(c.get("code"), str) else ""
    lines = len([line for line in code.splitlines() if line.strip()])
    limits = f"{seconds_text(c.get('timeout_s') or 30)}, {c.get('memory_mb') or 256} MB"
    return f"Runs a Python script ({lines} line{'s' if lines != 1 else ''}; {limits})"


def _database(c: Mapping[str, Any]) -> str:
    verb = "Reads or writes" if c.get("write") is True else "Reads"
    line = f"{verb} {ref_text(c.get('connection'), 'database')}: {value_text(c.get('query'))}"
    if isinstance(c.get("params"), dict) and c["params"]:
        line += f" · params {name_list(list(c['params']))}"
    return line


DESCRIBERS: dict[str, Describer] = {
    "api_call": _api_call,
    "transform": _transform,
    "delay": _delay,
    "wait": _wait,
    "for_each": _for_each,
    "if": _if,
    "switch": _switch,
    "merge": _merge,
    "approval": _approval,
    "notify": _notify,
    "publish": _publish,
    "share": _share,
    "optimize": _optimize,
    "monitor": _monitor,
    "git_commit": _git_commit,
    "send_email": _send_email,
    "orchestration": _orchestration,
    "sub_workflow": _sub_workflow,
    "script": _script,
    "database": _database,
    **OPS_DESCRIBERS,
}
