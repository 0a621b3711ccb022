"""The Jinja2 sandbox that templates and conditions run in, with Flowdeck's extra walls.

Jinja's `ImmutableSandboxedEnvironment` stops the classic escapes, but not everything a config
template has no use for, nor the cheap ways to exhaust memory or CPU. `FlowdeckSandbox` also
refuses private attributes (except data keys such as `_id`), `str.format`, every callable
outside a small allow-list, `self`, imports and macros, and it bounds `range`, loop iterations,
`**`, `*`, `+`, `~`, `%`, filter inputs and outputs. It raises Jinja's `SecurityError`;
`app.core.templates` turns that into Flowdeck's `TemplateError`.

Loop iterations and output are counted against a `RenderBudget` shared by everything one step
renders (its condition and every string of its config), not per string: a config of 200
strings gets the same budget as a config of one. The budget also carries a deadline and a
`cancelled` flag. A render runs in a worker thread, which cannot be killed, so every loop
iteration, concatenation, filter call, function call and output chunk checks the budget and
raises `RenderStopped` once it is cancelled or past its deadline: the thread stops within one
step of the template, not when the template is done.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from jinja2 import StrictUndefined, nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context, LoopContext, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

MAX_OUTPUT = 1_000_000  # characters of output, and the size of any intermediate value
MAX_REPEAT = 100_000  # length of a string or list made with `*`
MAX_RANGE = 1_000
MAX_LOOP_ITERATIONS = 100_000  # per render, across all loops (a render outside a step)
STEP_LOOP_ITERATIONS = 1_000_000  # per step: its condition and every string of its config
STEP_OUTPUT = 4_000_000  # characters rendered per step, all strings together
MAX_EXPONENT = 100
MAX_POWER_BASE = 10**6
MAX_INT_BITS = 4_096
MAX_FORMAT_WIDTH = 1_000

_BLOCKED_ATTRIBUTES = frozenset({"format", "format_map", "mro"})
_REMOVED_GLOBALS = ("lipsum", "cycler", "joiner", "namespace")
_REMOVED_FILTERS = ("center", "batch", "slice", "wordwrap")
_REFUSED_TAGS: dict[type[nodes.Node], str] = {nodes.Extends: "extends", nodes.Include: "include"}
_REFUSED_TAGS |= {nodes.Import: "import", nodes.FromImport: "from", nodes.CallBlock: "call"}
_REFUSED_TAGS |= {nodes.Macro: "macro"}
_STR_METHODS = {"lower", "upper", "title", "capitalize", "casefold", "swapcase", "replace", "join"}
_STR_METHODS |= {"strip", "lstrip", "rstrip", "split", "rsplit", "splitlines", "startswith"}
_STR_METHODS |= {"endswith", "removeprefix", "removesuffix", "partition", "rpartition", "count"}
_STR_METHODS |= {"find", "rfind", "index", "rindex", "isalnum", "isalpha", "isdigit", "isupper"}
_STR_METHODS |= {"isdecimal", "isnumeric", "isspace", "islower", "istitle"}
_SAFE_METHODS: dict[type, frozenset[str]] = {
    str: frozenset(_STR_METHODS),
    dict: frozenset({"get", "keys", "values", "items"}),
    list: frozenset({"index", "count"}),
    tuple: frozenset({"index", "count"}),
    datetime: frozenset({"isoformat", "strftime", "timestamp", "weekday", "isoweekday", "date"}),
    date: frozenset({"isoformat", "strftime", "weekday", "isoweekday"}),
    timedelta: frozenset({"total_seconds"}),
    LoopContext: frozenset({"cycle", "changed"}),
}
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


class RenderStopped(Exception):  # noqa: N818 - not an error of the template: it was stopped
    """The render was cancelled or ran past its deadline (`reason` says which)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"rendering stopped: {reason}")
        self.reason = reason


@dataclass
class RenderBudget:
    """What one step may spend rendering: loop iterations, output characters and time.

    `deadline` is a value of `clock` (the caller passes both, e.g. `time.monotonic`), so this
    module never reads a clock of its own. `cancel()` may be called from another thread.
    """

    loop_iterations: int = MAX_LOOP_ITERATIONS
    output_chars: int = MAX_OUTPUT
    deadline: float | None = None
    clock: Callable[[], float] | None = None
    cancelled: bool = False
    loops_left: int = field(init=False)
    output_left: int = field(init=False)

    def __post_init__(self) -> None:
        self.loops_left = self.loop_iterations
        self.output_left = self.output_chars

    def cancel(self) -> None:
        self.cancelled = True

    def check(self) -> None:
        """Raise `RenderStopped` if the render must stop now."""
        if self.cancelled:
            raise RenderStopped("cancelled")
        if self.deadline is not None and self.clock is not None and self.clock() > self.deadline:
            raise RenderStopped("timeout")

    def spend_loop(self) -> None:
        self.check()
        self.loops_left -= 1
        if self.loops_left < 0:
            raise SecurityError(f"loops are limited to {self.loop_iterations} iterations")

    def spend_output(self, chars: int) -> None:
        self.check()
        self.output_left -= chars
        if self.output_left < 0:
            raise SecurityError(f"output is limited to {self.output_chars} characters")


#: The budget of the current render; `templates` sets one per render (or per step).
current_budget: ContextVar[RenderBudget | None] = ContextVar("flowdeck_budget", default=None)


def _check_budget() -> None:
    budget = current_budget.get()
    if budget is not None:
        budget.check()


def approx_size(value: Any, limit: int = MAX_OUTPUT) -> int:
    """Rough rendered size of `value`, giving up as soon as it passes `limit`.

    Walks shared references too, so a list holding the same big string many times counts as
    big: that is what it becomes once rendered or serialised.
    """
    total, stack = 0, [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str | bytes):
            total += len(item)
        elif isinstance(item, Mapping):
            total += len(item) + 2
            if total <= limit:
                stack.extend(item.keys())
                stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            total += len(item) + 2
            if total <= limit:
                stack.extend(item)
        else:
            total += 1
    return total


def check_size(value: Any, what: str, limit: int = MAX_OUTPUT) -> None:
    if approx_size(value, limit) > limit:
        raise SecurityError(f"{what} would be larger than {limit} characters")


def _check_power(base: Any, exponent: Any) -> None:
    if not (isinstance(base, int | float) and isinstance(exponent, int | float)):
        return
    if abs(exponent) > MAX_EXPONENT or abs(base) > MAX_POWER_BASE:
        raise SecurityError(f"** is limited to exponent {MAX_EXPONENT}, base {MAX_POWER_BASE}")


def _check_multiply(left: Any, right: Any) -> None:
    if isinstance(left, int) and isinstance(right, int):
        if abs(left).bit_length() + abs(right).bit_length() > MAX_INT_BITS:
            raise SecurityError("the product would be an unreasonably large number")
        return
    if isinstance(left, int):
        left, right = right, left
    if isinstance(left, str | list | tuple) and isinstance(right, int) and right > 0:
        if len(left) * right > MAX_REPEAT:
            raise SecurityError(f"repetition would make more than {MAX_REPEAT} items")
        check_size(left, "the repeated value", MAX_OUTPUT // right)


def _check_percent(text: str, args: Any) -> None:
    for width, precision in _PERCENT_SPEC.findall(text):
        for part in (width, precision):
            if part == "*" or len(part) > 6 or (part and int(part) > MAX_FORMAT_WIDTH):
                raise SecurityError(f"format widths are limited to {MAX_FORMAT_WIDTH}")
    check_size(args, "the format arguments")


def _check_replace(text: str, old: Any, new: Any, count: Any = -1) -> None:
    if isinstance(old, str) and isinstance(new, str):
        hits = text.count(old) if old else len(text) + 1
        if isinstance(count, int) and count >= 0:
            hits = min(hits, count)
        if len(text) + hits * (len(new) - len(old)) > MAX_OUTPUT:
            raise SecurityError(f"replace would make more than {MAX_OUTPUT} characters")


def _check_indent(text: Any, width: Any = 4, *_: Any, **__: Any) -> None:
    step = len(width) if isinstance(width, str) else int(width)
    if approx_size(text) + (str(text).count("\n") + 1) * step > MAX_OUTPUT:
        raise SecurityError(f"indent would make more than {MAX_OUTPUT} characters")


def _check_join(items: Any, separator: Any = "", *_: Any) -> None:
    count = len(items) if isinstance(items, list | tuple | Mapping | str) else 0
    if approx_size(items) + len(str(separator)) * count > MAX_OUTPUT:
        raise SecurityError(f"the joined text would be larger than {MAX_OUTPUT} characters")


def _check_sum(_: Any, attribute: Any = None, start: Any = 0) -> None:
    if not isinstance(start, int | float):
        raise SecurityError("sum only adds numbers")


_FILTER_CHECKS: dict[str, Callable[..., None]] = {
    "replace": lambda s, old, new, count=None: _check_replace(str(s), old, new, count),
    "format": lambda s, *args, **kwargs: _check_percent(str(s), kwargs or args),
    "indent": _check_indent,
    "sum": _check_sum,
    "join": _check_join,
}


def _guard_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a filter so its input is size-checked (and materialised if it is an iterator)."""
    offset = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0
    check = _FILTER_CHECKS.get(name)

    @functools.wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _check_budget()
        if len(args) > offset:
            value = args[offset]
            if isinstance(value, Iterator):
                value = list(value)
                args = (*args[:offset], value, *args[offset + 1 :])
            check_size(value, f"the input of filter {name!r}")
            if check is not None:
                check(*args[offset:], **kwargs)
        return func(*args, **kwargs)

    return guarded


def bounded_range(*args: int) -> range:
    """`range` limited to MAX_RANGE items."""
    values = range(*args)
    if len(values) > MAX_RANGE:
        raise SecurityError(f"range() is limited to {MAX_RANGE} items")
    return values


class _Hardener(NodeTransformer):
    """Refuses what a config value has no use for; routes loops and `~` through checks."""

    def visit(self, node: nodes.Node, *args: Any, **kwargs: Any) -> Any:
        if type(node) in _REFUSED_TAGS:
            raise SecurityError(f"the {{% {_REFUSED_TAGS[type(node)]} %}} tag")
        if isinstance(node, nodes.Name) and node.name == "self":
            raise SecurityError("the name 'self'")
        return super().visit(node, *args, **kwargs)

    def visit_For(self, node: nodes.For) -> nodes.Node:
        node = self.generic_visit(node)
        node.iter = _call_env("guarded_iter", [node.iter], node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        node = self.generic_visit(node)
        return _call_env("guarded_concat", list(node.nodes), node.lineno)


def _call_env(name: str, args: list[nodes.Expr], lineno: int) -> nodes.Call:
    return nodes.Call(nodes.EnvironmentAttribute(name), args, [], None, None, lineno=lineno)


def _finalize(value: Any) -> Any:
    _check_budget()
    check_size(value, "the output")
    return value


class FlowdeckSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with Flowdeck's extra refusals and limits."""

    intercepted_binops = frozenset({"**", "*", "+", "%"})

    def __init__(self) -> None:
        super().__init__(
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
            finalize=_finalize,
        )
        for name in _REMOVED_GLOBALS:
            self.globals.pop(name, None)
        self.globals["range"] = bounded_range
        for name in _REMOVED_FILTERS:
            self.filters.pop(name, None)
        self.filters = {name: _guard_filter(name, f) for name, f in self.filters.items()}

    def _generate(self, source: nodes.Template, *args: Any, **kwargs: Any) -> str:
        return super()._generate(_Hardener().visit(source), *args, **kwargs)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return attr not in _BLOCKED_ATTRIBUTES and super().is_safe_attribute(obj, attr, value)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        raise SecurityError(f"access to attribute {attribute!r}")

    def wrap_str_format(self, value: Any) -> None:
        return None  # str.format is refused outright rather than sandboxed

    def _refuse_name(self, obj: Any, name: Any) -> None:
        blocked = isinstance(name, str) and (name.startswith("_") or name in _BLOCKED_ATTRIBUTES)
        # A data key such as "_id" in a payload is data, not an internal.
        if blocked and not (isinstance(obj, Mapping) and name in obj):
            raise SecurityError(f"access to attribute {name!r}")

    def getattr(self, obj: Any, attribute: str) -> Any:
        self._refuse_name(obj, attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self._refuse_name(obj, argument)
        return super().getitem(obj, argument)

    def is_safe_callable(self, obj: Any) -> bool:
        if obj is dict or obj is bounded_range:
            return True
        owner, name = getattr(obj, "__self__", None), getattr(obj, "__name__", "")
        if owner is self:
            return name in ("guarded_iter", "guarded_concat")
        return any(
            isinstance(owner, kind)
            and name in names
            and getattr(type(owner), name) is getattr(kind, name)
            for kind, names in _SAFE_METHODS.items()
        )

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        _check_budget()
        if isinstance(obj, Undefined):
            return obj()  # StrictUndefined raises, naming the missing variable
        if not self.is_safe_callable(obj):
            name = getattr(obj, "__qualname__", None) or type(obj).__name__
            raise SecurityError(f"calling {name}")
        owner = getattr(obj, "__self__", None)
        if isinstance(owner, str) and obj.__name__ == "replace":
            _check_replace(owner, *args, **kwargs)
        elif isinstance(owner, str) and obj.__name__ == "join" and len(args) == 1:
            args = (list(args[0]),)
            _check_join(args[0], owner)
        return context.call(obj, *args, **kwargs)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _check_budget()
        if operator == "**":
            _check_power(left, right)
        elif operator == "*":
            _check_multiply(left, right)
        elif operator == "+" and not isinstance(left, int | float):
            check_size([left, right], "the sum")
        elif operator == "%" and isinstance(left, str):
            _check_percent(left, right)
        return super().call_binop(context, operator, left, right)

    def guarded_iter(self, iterable: Iterable[Any]) -> Iterator[Any]:
        budget = current_budget.get() or RenderBudget()
        for item in iterable:
            budget.spend_loop()
            yield item

    def guarded_concat(self, *parts: Any) -> str:
        _check_budget()
        check_size(parts, "the joined text")
        return "".join(str(part) for part in parts)
