"""Selecting rows for a bulk action, and the words of its confirmation and summary (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

#: The verb of each action: (imperative, past tense).
VERBS: dict[str, tuple[str, str]] = {
    "activate": ("Activate", "Activated"),
    "pause": ("Pause", "Paused"),
    "run": ("Run", "Started"),
    "export": ("Export", "Exported"),
    "delete": ("Delete", "Deleted"),
    "cancel": ("Cancel", "Cancelled"),
    "retry": ("Retry", "Retried"),
}


def toggled(selected: list[int], item: int, on: bool) -> list[int]:
    """`selected` with `item` in (on) or out, keeping the order things were picked in."""
    if on:
        return selected if item in selected else [*selected, item]
    return [i for i in selected if i != item]


def page_toggled(selected: list[int], page: Iterable[int], on: bool) -> list[int]:
    """`selected` with every id of the page in (on) or out; other pages' picks are kept."""
    ids = list(page)
    if on:
        return [*selected, *(i for i in dict.fromkeys(ids) if i not in selected)]
    gone = set(ids)
    return [i for i in selected if i not in gone]


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def question(action: str, count: int, noun: str) -> str:
    """The confirmation's title: "Pause 3 workflows?"."""
    return f"{VERBS[action][0]} {plural(count, noun)}?"


def headline(action: str, done: int, failed: int, noun: str) -> str:
    """The summary's title: "Paused 3 workflows" or "Paused 2 of 3 workflows"."""
    past = VERBS[action][1]
    if not failed:
        return f"{past} {plural(done, noun)}"
    return f"{past} {done} of {plural(done + failed, noun)}"


def outcome(item: Mapping[str, Any]) -> str:
    """One result line's text: what happened to that item, or why not."""
    if not item["ok"]:
        message = str(item.get("error") or "failed")
        return message[:1].upper() + message[1:]
    if item.get("execution_id") is not None:
        word = "started" if item.get("created", True) else "already retrying:"
        return f"{word.capitalize()} execution #{item['execution_id']}"
    return "Done"
