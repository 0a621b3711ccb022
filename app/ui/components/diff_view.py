"""A readable diff: changed fields as old → new, and a body's lines inline or side by side.

The shaping is plain Python (field rows come from `app.core.doc_changes`, a `line_diff`
becomes lines the page only draws); the drawing colours what was added green and what was
removed red.
"""

from __future__ import annotations

from typing import Any, TypedDict

import reflex as rx

CONTEXT = 3  # unchanged lines kept around each change; longer runs fold into one gap row


class FieldChange(TypedDict):
    path: str
    kind: str  # added, removed, changed
    old: str
    new: str


class DiffLine(TypedDict):
    kind: str  # equal, insert, delete, gap
    old_no: str
    new_no: str
    text: str


class SideRow(TypedDict):
    left_no: str
    left: str
    left_kind: str  # equal, delete, empty, gap
    right_no: str
    right: str
    right_kind: str  # equal, insert, empty, gap


def _folded(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The blocks with long unchanged runs cut to CONTEXT lines each side (a `gap` block)."""
    out: list[dict[str, Any]] = []
    for index, block in enumerate(blocks):
        size = len(block["old"])
        if block["op"] != "equal" or size <= 2 * CONTEXT + 1:
            out.append(block)
            continue
        head = CONTEXT if index > 0 else 0
        tail = CONTEXT if index < len(blocks) - 1 else 0
        if head:
            out.append({**block, "old": block["old"][:head], "new": block["new"][:head]})
        out.append({"op": "gap", "hidden": size - head - tail})
        if tail:
            out.append(
                {
                    "op": "equal",
                    "old_start": block["old_start"] + size - tail,
                    "new_start": block["new_start"] + size - tail,
                    "old": block["old"][-tail:],
                    "new": block["new"][-tail:],
                }
            )
    return out


def _gap(hidden: int) -> str:
    return f"⋯ {hidden} unchanged line{'s' if hidden != 1 else ''}"


def inline_lines(blocks: list[dict[str, Any]]) -> list[DiffLine]:
    """`line_diff` blocks as `-`/`+` lines with both line numbers (1-based)."""
    lines: list[DiffLine] = []
    for block in _folded(blocks):
        if block["op"] == "gap":
            lines.append(DiffLine(kind="gap", old_no="", new_no="", text=_gap(block["hidden"])))
            continue
        if block["op"] == "equal":
            for k, text in enumerate(block["old"]):
                old_no, new_no = str(block["old_start"] + k + 1), str(block["new_start"] + k + 1)
                lines.append(DiffLine(kind="equal", old_no=old_no, new_no=new_no, text=text))
            continue
        for k, text in enumerate(block["old"]):
            no = str(block["old_start"] + k + 1)
            lines.append(DiffLine(kind="delete", old_no=no, new_no="", text=text))
        for k, text in enumerate(block["new"]):
            no = str(block["new_start"] + k + 1)
            lines.append(DiffLine(kind="insert", old_no="", new_no=no, text=text))
    return lines


def side_rows(blocks: list[dict[str, Any]]) -> list[SideRow]:
    """`line_diff` blocks as rows of (old line | new line); replaced lines face each other."""
    rows: list[SideRow] = []
    for block in _folded(blocks):
        if block["op"] == "gap":
            gap = _gap(block["hidden"])
            rows.append(
                SideRow(
                    left_no="", left=gap, left_kind="gap", right_no="", right="", right_kind="gap"
                )
            )
            continue
        old, new = block["old"], block["new"]
        same = block["op"] == "equal"
        for k in range(max(len(old), len(new))):
            has_old, has_new = k < len(old), k < len(new)
            rows.append(
                SideRow(
                    left_no=str(block["old_start"] + k + 1) if has_old else "",
                    left=old[k] if has_old else "",
                    left_kind=("equal" if same else "delete") if has_old else "empty",
                    right_no=str(block["new_start"] + k + 1) if has_new else "",
                    right=new[k] if has_new else "",
                    right_kind=("equal" if same else "insert") if has_new else "empty",
                )
            )
    return rows


# --- drawing ---------------------------------------------------------------------------------

_MONO = {"font_family": "var(--code-font-family)", "font_size": "12px", "line_height": "1.6"}


def _tint(kind: rx.Var) -> rx.Var:
    return rx.match(
        kind,
        ("insert", rx.color("green", 3)),
        ("delete", rx.color("red", 3)),
        ("gap", rx.color("gray", 3)),
        ("empty", rx.color("gray", 2)),
        "transparent",
    )


def _value(text: rx.Var, color: str, strike: rx.Var | bool = False) -> rx.Component:
    return rx.text(
        text,
        size="1",
        color=rx.color(color, 11),
        background=rx.color(color, 3),
        padding="0 0.3rem",
        border_radius="var(--radius-1)",
        text_decoration=rx.cond(strike, "line-through", "none"),
        style={**_MONO, "white_space": "pre-wrap", "word_break": "break-word"},
    )


def _field_row(change: FieldChange) -> rx.Component:
    changed = change["kind"] == "changed"
    return rx.flex(
        rx.flex(
            rx.badge(  # first, and never shrunk: a long path wraps instead of hiding it
                change["kind"],
                color_scheme=rx.match(
                    change["kind"], ("added", "green"), ("removed", "red"), "blue"
                ),
                flex_shrink="0",
                data_testid="diff-kind",
            ),
            rx.code(
                # A long path may wrap after a dot (<wbr>), not inside a word; copied, it is
                # the path as it is.
                rx.foreach(
                    change["path"].to(str).split("."),
                    lambda part, i: rx.fragment(rx.cond(i > 0, ".", ""), rx.el.wbr(), part),
                ),
                size="1",
                variant="ghost",
                style={"overflow_wrap": "anywhere", "min_width": "0"},
                data_testid="diff-path",
            ),
            gap="0.5rem",
            align="start",
            width=["100%", "280px"],
            min_width="0",
            flex_shrink="0",
        ),
        rx.flex(
            rx.cond(change["old"] != "", _value(change["old"], "red", changed)),
            rx.cond(changed, rx.icon("arrow-right", size=12, color=rx.color("gray", 10))),
            rx.cond(change["new"] != "", _value(change["new"], "green")),
            gap="0.4rem",
            align="center",
            wrap="wrap",
            flex="1",
            min_width="0",
        ),
        gap="0.4rem 1rem",
        wrap="wrap",
        padding="0.5rem 0.75rem",
        border_top=f"1px solid {rx.color('gray', 4)}",
        data_testid="diff-field",
    )


def field_changes(changes: rx.Var) -> rx.Component:
    """Changed fields, one per line: path, what happened, old (red) → new (green)."""
    return rx.box(
        rx.foreach(changes, _field_row),
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="var(--radius-2)",
        overflow="hidden",
        width="100%",
        style={"& > div:first-child": {"border_top": "none"}},
    )


def _number(text: rx.Var) -> rx.Component:
    return rx.el.span(
        text,
        style={
            **_MONO,
            "color": rx.color("gray", 11),
            "min_width": "2.2rem",
            "text_align": "right",
        },
    )


def _code_line(text: rx.Var, kind: rx.Var) -> rx.Component:
    sign = rx.match(kind, ("insert", "+"), ("delete", "−"), " ")
    return rx.el.span(
        rx.el.span(sign, style={"user_select": "none", "padding_right": "0.5rem"}),
        text,
        style={
            **_MONO,
            "white_space": "pre-wrap",
            "word_break": "break-word",
            "flex": "1",
            "color": rx.match(
                kind,
                ("insert", rx.color("green", 11)),
                ("delete", rx.color("red", 11)),
                ("gap", rx.color("gray", 11)),
                rx.color("gray", 12),
            ),
        },
    )


def _frame(*children: rx.Component, testid: str) -> rx.Component:
    return rx.box(
        *children,
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="var(--radius-2)",
        overflow="auto",
        max_height="520px",
        width="100%",
        data_testid=testid,
    )


def inline_diff(lines: rx.Var) -> rx.Component:
    """The body as one column of lines, `−` red and `+` green, with both line numbers."""
    return _frame(
        rx.foreach(
            lines,
            lambda line: rx.flex(
                _number(line["old_no"]),
                _number(line["new_no"]),
                _code_line(line["text"], line["kind"]),
                gap="0.5rem",
                padding_x="0.5rem",
                background=_tint(line["kind"]),
                data_testid="diff-line-" + line["kind"].to(str),
            ),
        ),
        testid="diff-inline",
    )


def side_by_side(rows: rx.Var) -> rx.Component:
    """The body as two columns: the older version left, the newer right."""

    def half(no: rx.Var, text: rx.Var, kind: rx.Var) -> rx.Component:
        return rx.flex(
            _number(no),
            _code_line(text, kind),
            gap="0.5rem",
            padding_x="0.5rem",
            background=_tint(kind),
            width="50%",
            min_width="0",
        )

    return _frame(
        rx.foreach(
            rows,
            lambda row: rx.flex(
                half(row["left_no"], row["left"], row["left_kind"]),
                rx.box(width="1px", background=rx.color("gray", 5)),
                half(row["right_no"], row["right"], row["right_kind"]),
                width="100%",
            ),
        ),
        testid="diff-side",
    )


def change_words(words: rx.Var) -> rx.Component:
    """A workflow change in words ("added action `notify`"), one line each."""
    return rx.vstack(
        rx.foreach(
            words,
            lambda word: rx.hstack(
                rx.icon("dot", size=16, color=rx.color("accent", 9)),
                rx.text(word, size="2"),
                spacing="1",
                align="center",
                data_testid="diff-word",
            ),
        ),
        spacing="1",
        width="100%",
    )
