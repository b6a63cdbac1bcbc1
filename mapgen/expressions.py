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


@lru_cache(maxsize=1)
def _environment():  # type: ignore[no-untyped-def]
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(undefined=StrictUndefined)


@lru_cache(maxsize=512)
def compile_condition(expression: str) -> Callable[..., Any]:
    from jinja2 import TemplateSyntaxError

    try:
        return _environment().compile_expression(expression, undefined_to_none=False)
    except TemplateSyntaxError as exc:
        raise MapgenError(f"invalid condition '{expression}': {exc.message}") from None


def evaluate(expression: str, context: Mapping[str, Any]) -> bool:
    """True when the condition holds for ``context``. Undefined names are errors, not False."""
    from jinja2 import UndefinedError
    from jinja2.exceptions import SecurityError

    function = compile_condition(expression)
    try:
        return bool(function(**context))
    except UndefinedError as exc:
        raise MapgenError(f"condition '{expression}': {exc.message}") from None
    except SecurityError as exc:
        raise MapgenError(f"condition '{expression}' is not allowed: {exc}") from None
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise MapgenError(f"condition '{expression}' failed: {exc}") from None
