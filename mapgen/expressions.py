"""Template conditions (``deal.amount >= 1000000``) evaluated in a Jinja sandbox.

A template is data written by other people: it can read the brief's facts but can
never call into Python.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable, Mapping

from mapgen.errors import MapgenError

#: ISO codes of the European Union's member states, for rules such as ``buyer.country in EU``.
EU = frozenset("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split())


#: A condition is a short expression: it gets a short time budget.
CONDITION_SECONDS = 2.0


@lru_cache(maxsize=1)
def _environment():  # type: ignore[no-untyped-def]
    from mapgen.sandbox import environment

    return environment()


@lru_cache(maxsize=512)
def compile_condition(expression: str) -> Callable[..., Any]:
    from jinja2 import TemplateSyntaxError

    try:
        return _environment().compile_expression(expression, undefined_to_none=False)
    except TemplateSyntaxError as exc:
        raise MapgenError(f"invalid condition '{_short(expression)}': {exc.message}") from None
    except (RecursionError, MemoryError) as exc:  # 10,000 nested brackets
        raise MapgenError(f"invalid condition '{_short(expression)}': too deeply nested ({type(exc).__name__})") from None


def evaluate(expression: str, context: Mapping[str, Any]) -> bool:
    """True when the condition holds for ``context``. Undefined names are errors, not False."""
    from jinja2 import UndefinedError
    from jinja2.exceptions import SecurityError

    from mapgen import sandbox
    from mapgen.sandbox import budget

    function = compile_condition(expression)
    try:
        with budget(min(CONDITION_SECONDS, sandbox.BUDGET_SECONDS)):
            return bool(function(**context))
    except UndefinedError as exc:
        raise MapgenError(f"condition '{_short(expression)}': {exc.message}{suggest_names(expression, context)}") \
            from None
    except SecurityError as exc:
        raise MapgenError(f"condition '{_short(expression)}' is not allowed: {exc}") from None
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError, RecursionError, MemoryError) as exc:
        raise MapgenError(f"condition '{_short(expression)}' failed: {type(exc).__name__}: {exc}") from None


def _short(expression: str) -> str:
    return expression if len(expression) <= 120 else expression[:100] + "..."


def suggest_names(expression: str, context: Mapping[str, Any]) -> str:
    """`` (did you mean deal.amount?)`` for the first name in ``expression`` the context does not have."""
    from jinja2 import nodes

    from mapgen.errors import did_you_mean

    try:
        tree = _environment().parse("{{ " + expression + " }}")
    except Exception:  # noqa: BLE001 - a suggestion is best effort
        return ""
    for node in tree.find_all((nodes.Getattr, nodes.Name)):
        if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name):
            value = context.get(node.node.name)
            if isinstance(value, Mapping) and node.attr not in value:
                hint = did_you_mean(node.attr, list(value))
                return hint.replace("mean ", f"mean {node.node.name}.", 1) if hint else \
                    f" ({node.node.name} has: {', '.join(value)})"
        elif isinstance(node, nodes.Name) and node.ctx == "load" and node.name not in context:
            return did_you_mean(node.name, list(context)) or f" (a condition can read: {', '.join(context)})"
    return ""
