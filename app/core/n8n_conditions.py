"""n8n IF and Switch conditions as Flowdeck condition expressions. Pure.

n8n writes a condition as data: a left value, an operator (`{type, operation}` in IF v2 and
Switch v3, `operation` under a type key in IF v1 and Switch v1/v2) and a right value, several
of them joined by `and`/`or`. Each becomes one Jinja comparison with the same meaning
(`a > b`, `b in a`, `a.startswith(b)`…); operators without a one-for-one meaning (regular
expressions, dates compared as dates) make the whole condition unclear (None), and the
importer reports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.core.n8n_expressions import Scope, Translated, is_expression, operand
from app.core.n8n_model import listed

_BINARY = {
    "equals": "{l} == {r}",
    "notEquals": "{l} != {r}",
    "gt": "{l} > {r}",
    "lt": "{l} < {r}",
    "gte": "{l} >= {r}",
    "lte": "{l} <= {r}",
    "contains": "{r} in {l}",
    "notContains": "{r} not in {l}",
    "startsWith": "{l}.startswith({r})",
    "notStartsWith": "not {l}.startswith({r})",
    "endsWith": "{l}.endswith({r})",
    "notEndsWith": "not {l}.endswith({r})",
    "lengthEquals": "({l} | length) == {r}",
    "lengthNotEquals": "({l} | length) != {r}",
    "lengthGt": "({l} | length) > {r}",
    "lengthLt": "({l} | length) < {r}",
    "lengthGte": "({l} | length) >= {r}",
    "lengthLte": "({l} | length) <= {r}",
}
_UNARY = {
    "exists": "({l} is defined and {l} is not none)",
    "notExists": "({l} is not defined or {l} is none)",
    "empty": "(not {l})",
    "notEmpty": "(not not {l})",
    "true": "{l} == true",
    "false": "{l} == false",
}
#: IF v1 / Switch v1-v2 operation names in the v2 words.
_V1_NAMES = {
    "equal": "equals",
    "notEqual": "notEquals",
    "larger": "gt",
    "largerEqual": "gte",
    "smaller": "lt",
    "smallerEqual": "lte",
    "isEmpty": "empty",
    "isNotEmpty": "notEmpty",
}
_V1_DEFAULT = {"number": "smaller", "string": "equal", "boolean": "equal"}


def typed_literal(value: Any, kind: str) -> Any:
    """A right-hand literal in its n8n type (`"10"` for a number is 10)."""
    if is_expression(value) or not isinstance(value, str):
        return value
    if kind == "number":
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() else number
    if kind == "boolean" and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def _wrapped(expression: str) -> str:
    return f"({expression})" if " " in expression else expression


def comparison(
    left: Any, operation: str, right: Any, kind: str, scope: Scope, *, case_sensitive: bool = True
) -> Translated:
    """One condition as a Jinja expression; `value` None (and the source listed) if unclear."""
    template = _BINARY.get(operation) or _UNARY.get(operation)
    if template is None:
        return Translated(None, (f"{operation} ({kind})",))
    lhs = operand(left, scope)
    rhs = operand(typed_literal(right, kind), scope) if operation in _BINARY else Translated("none")
    if lhs.value is None or rhs.value is None:
        return Translated(None, lhs.untranslated + rhs.untranslated)
    l_text, r_text = _wrapped(lhs.value), _wrapped(rhs.value)
    if kind == "string" and not case_sensitive and operation in _BINARY:
        l_text, r_text = f"({l_text} | lower)", f"({r_text} | lower)"
    return Translated(template.format(l=l_text, r=r_text))


def _joined(parts: list[Translated], combinator: str) -> Translated:
    failed = tuple(text for part in parts for text in part.untranslated)
    if failed or not parts or any(part.value is None for part in parts):
        return Translated(None, failed or ("(no conditions)",))
    if len(parts) == 1:
        return Translated(parts[0].value)
    joiner = " or " if combinator == "or" else " and "
    return Translated(joiner.join(f"({part.value})" for part in parts))


def filter_condition(conditions: Any, scope: Scope) -> Translated:
    """An IF v2 / Switch v3 filter: `{conditions: [...], combinator, options.caseSensitive}`."""
    if not isinstance(conditions, Mapping):
        return Translated(None, ("(no conditions)",))
    options = conditions.get("options")
    case_sensitive = not isinstance(options, Mapping) or options.get("caseSensitive", True) is True
    parts = []
    for item in listed(conditions.get("conditions")):
        if not isinstance(item, Mapping):
            continue
        operator = item.get("operator") if isinstance(item.get("operator"), Mapping) else {}
        kind = str(operator.get("type", "string"))
        parts.append(
            comparison(
                item.get("leftValue", ""),
                str(operator.get("operation", "equals")),
                item.get("rightValue", ""),
                kind,
                scope,
                case_sensitive=case_sensitive,
            )
        )
    return _joined(parts, str(conditions.get("combinator", "and")))


def v1_comparison(rule: Mapping[str, Any], kind: str, left: Any, scope: Scope) -> Translated:
    """One IF v1 / Switch v1-v2 rule (`operation`, `value2`) against `left`."""
    name = str(rule.get("operation") or _V1_DEFAULT.get(kind, "equal"))
    return comparison(left, _V1_NAMES.get(name, name), rule.get("value2", ""), kind, scope)


def if_condition(parameters: Mapping[str, Any], version: float, scope: Scope) -> Translated:
    """The condition of an IF node of any version."""
    conditions = parameters.get("conditions")
    if version >= 2:
        return filter_condition(conditions, scope)
    parts: list[Translated] = []
    if isinstance(conditions, Mapping):
        for kind, rules in conditions.items():
            for rule in rules if isinstance(rules, list) else []:
                if isinstance(rule, Mapping):
                    parts.append(v1_comparison(rule, str(kind), rule.get("value1", ""), scope))
    combine = "or" if parameters.get("combineOperation") == "any" else "and"
    return _joined(parts, combine)
