"""The one factory for Jinja environments that run text written by other people.

Template conditions, the Markdown template, Word templates and the deck's speaker notes all
render here: an immutable sandbox (no Python reachable, StrictUndefined) with limits, so a small
hostile template ends within seconds with an error instead of hanging or eating memory:

- ``range`` yields at most MAX_RANGE items; strings and lists built by ``*``, ``%``, ``format``,
  ``center``, ``indent``, ``ljust``... stay under MAX_STRING characters; ``**`` stays under
  MAX_POWER_BITS bits;
- a render, or one condition, stops after BUDGET_SECONDS of template code (RenderTimeout);
- the text a render prints stops at MAX_OUTPUT characters;
- a render of a whole plan gets PER_STEP_SECONDS and PER_STEP_OUTPUT more per step: a 5,000-step
  plan is not a hostile template;
- no global whose value changes between runs (``lipsum``, the ``random`` filter): the same
  input renders to the same bytes.
"""

from __future__ import annotations

import math
import re
import sys
import threading
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from jinja2 import StrictUndefined, Template, Undefined
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_RANGE = 10_000
MAX_STRING = 1_000_000
MAX_OUTPUT = 5_000_000
MAX_POWER_BITS = 4096
BUDGET_SECONDS = 5.0
#: What a format's render of a plan gets on top of the budget per step (a 5,000-step plan: 15 s, 15 MB).
PER_STEP_SECONDS = 0.002
PER_STEP_OUTPUT = 2_000

#: Filters whose result depends on the run, not on the input.
_NON_DETERMINISTIC_FILTERS = ("random",)
#: Globals whose result depends on the run (``lipsum`` is random text, and its repr is a memory address).
_NON_DETERMINISTIC_GLOBALS = ("lipsum",)
#: Methods of str whose integer arguments are sizes of the result.
_SIZED_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs", "format", "format_map", "join"})
_BIG_NUMBER_IN_FORMAT = re.compile(r"\d{7,}|%[^a-zA-Z%]*\*")


class RenderTimeout(SecurityError):
    """A template ran for longer than its budget."""


class LimitError(SecurityError):
    """A template asked for more than the sandbox allows (a huge string, range or number)."""


#: Characters a render may build in strings and lists (printed or not) before it is stopped.
MAX_BUILT = 50_000_000


class _Budget(threading.local):
    deadline: float | None = None
    output: int = 0
    built: int = 0
    seconds: float = BUDGET_SECONDS
    max_output: int = MAX_OUTPUT
    steps: int = 0


_budget = _Budget()


def _template_frame(frame: Any) -> bool:
    return frame.f_code.co_filename == "<template>"  # what Environment.from_string compiles to


_ticks = [0]


def _local_trace(frame: Any, event: str, arg: Any) -> Callable[..., Any] | None:
    _ticks[0] += 1
    if _ticks[0] & 127:  # look at the clock every 128 lines of template code
        return _local_trace
    deadline = _budget.deadline
    if deadline is not None and time.monotonic() > deadline:
        raise RenderTimeout(f"the template ran for more than {_budget.seconds:g} seconds{_per_step('seconds')} "
                            "(a loop too large?)")
    return _local_trace


def _global_trace(frame: Any, event: str, arg: Any) -> Callable[..., Any] | None:
    if event == "call":
        if _template_frame(frame):
            return _local_trace
        deadline = _budget.deadline  # a filter looping in Python still calls functions
        if deadline is not None and time.monotonic() > deadline:
            raise RenderTimeout(f"the template ran for more than {_budget.seconds:g} seconds{_per_step('seconds')}")
    return None


def _per_step(kind: str) -> str:
    """`` and 2 ms for each of the plan's 5,000 steps``: the allowance in a limit's message, when there is one."""
    if not _budget.steps:
        return ""
    each = f"{PER_STEP_SECONDS * 1000:g} ms" if kind == "seconds" else f"{PER_STEP_OUTPUT:,}"
    return f" and {each} for each of the plan's {_budget.steps:,} steps"


@contextmanager
def budget(seconds: float | None = None, steps: int = 0) -> Iterator[None]:
    """Run template code for at most ``seconds`` (default BUDGET_SECONDS; nested budgets keep the outer).
    A render of a plan of ``steps`` steps gets PER_STEP_SECONDS and PER_STEP_OUTPUT more for each."""
    if _budget.deadline is not None:  # already inside a budget
        yield
        return
    seconds = BUDGET_SECONDS if seconds is None else seconds
    previous = sys.gettrace()
    _budget.deadline = time.monotonic() + seconds + steps * PER_STEP_SECONDS
    _budget.seconds = seconds
    _budget.steps = steps
    _budget.max_output = MAX_OUTPUT + steps * PER_STEP_OUTPUT
    _budget.output = _budget.built = 0
    sys.settrace(_global_trace)
    try:
        yield
    finally:
        sys.settrace(previous)
        _budget.deadline = None


def _check_size(value: Any) -> Any:
    if isinstance(value, (str, bytes, list, tuple)):
        if len(value) > MAX_STRING:
            raise LimitError(f"the template built a value of {len(value):,} items (at most {MAX_STRING:,})")
        if _budget.deadline is not None:
            _budget.built += len(value)
            if _budget.built > MAX_BUILT:
                raise LimitError(f"the template built more than {MAX_BUILT:,} characters")
    return value


def _finalize(value: Any) -> Any:
    """Counts what a render prints; a function is never printed (its text is a memory address)."""
    if callable(value) and not isinstance(value, (str, Undefined)):  # {{ "s" if x }} prints an Undefined
        raise LimitError(f"the template prints a function or class ({type(value).__name__}), not a value")
    if isinstance(value, str) and _budget.deadline is not None:
        _budget.output += len(value)
        if _budget.output > _budget.max_output:
            raise LimitError(f"the template printed more than {MAX_OUTPUT:,} characters{_per_step('output')}")
    return value


def _safe_range(*args: int) -> range:
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise LimitError(f"range of {len(result):,} items (at most {MAX_RANGE:,})")
    return result


def _big_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_STRING


#: SandboxEnvironment.is_safe_attribute's answers by (type, attribute name).
_SAFE_ATTRIBUTES: dict[tuple[type, str], bool] = {}


class SandboxEnvironment(ImmutableSandboxedEnvironment):
    """ImmutableSandboxedEnvironment with size limits on what a template can build."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """Jinja's answer, remembered per (type of ``obj``, ``attr``): every check it makes (a leading
        underscore, the internal attributes of functions, methods, frames and generators, the methods that
        change a list, dict, set or deque) looks at those two alone. A template reading a field of each of
        5,000 steps asks the same question 5,000 times."""
        key = (type(obj), attr)
        known = _SAFE_ATTRIBUTES.get(key)
        if known is None:
            if len(_SAFE_ATTRIBUTES) > 10_000:  # names a template makes up as it runs: start again
                _SAFE_ATTRIBUTES.clear()
            known = _SAFE_ATTRIBUTES[key] = super().is_safe_attribute(obj, attr, value)
        return known

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            return _power(left, right)
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, (str, bytes, list, tuple)) and isinstance(count, int):
                    if len(seq) * max(count, 0) > MAX_STRING:
                        raise LimitError(f"the template built a value of {len(seq) * count:,} items "
                                         f"(at most {MAX_STRING:,})")
        if operator == "%" and isinstance(left, str) and _BIG_NUMBER_IN_FORMAT.search(left):
            raise LimitError("a %-format with a width or precision this large is not allowed")
        return _check_size(super().call_binop(context, operator, left, right))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        template = value.__self__

        def checked(*args: Any, **kwargs: Any) -> str:
            values = list(args) + list(kwargs.values())
            values += [v for a in args if isinstance(a, dict) for v in a.values()]
            if _BIG_NUMBER_IN_FORMAT.search(template) or any(_big_int(v) for v in values):
                raise LimitError("a format with a width or precision this large is not allowed")
            return _check_size(wrapped(*args, **kwargs))

        return checked

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str) and getattr(__obj, "__name__", "") in _SIZED_METHODS:
            if any(_big_int(a) for a in list(args) + list(kwargs.values())):
                raise LimitError(f"str.{__obj.__name__} with a size over {MAX_STRING:,}")
            if __obj.__name__ in ("format", "format_map") and _BIG_NUMBER_IN_FORMAT.search(owner):
                raise LimitError("a format with a width or precision this large is not allowed")
        return _check_size(super().call(__context, __obj, *args, **kwargs))


def _power(left: Any, right: Any) -> Any:
    if isinstance(left, int) and isinstance(right, int) and not isinstance(left, bool) and right > 0:
        if abs(left) > 1 and right * math.log2(abs(left)) > MAX_POWER_BITS:
            raise LimitError(f"{left} ** {right} is too large (more than {MAX_POWER_BITS} bits)")
    try:
        return left ** right
    except OverflowError as exc:
        raise LimitError(f"{left!r} ** {right!r}: {exc}") from None


def _sized_filter(original: Callable[..., Any], *size_arguments: int) -> Callable[..., Any]:
    def checked(*args: Any, **kwargs: Any) -> Any:
        if any(_big_int(a) for a in list(args[1:]) + list(kwargs.values())):
            raise LimitError(f"filter {original.__name__} with a size over {MAX_STRING:,}")
        return _check_size(original(*args, **kwargs))

    checked.__name__ = original.__name__
    for attr in ("jinja_pass_arg",):
        if hasattr(original, attr):
            setattr(checked, attr, getattr(original, attr))
    return checked


def _format_filter(value: Any, *args: Any, **kwargs: Any) -> str:
    if isinstance(value, str) and _BIG_NUMBER_IN_FORMAT.search(value):
        raise LimitError("a format with a width or precision this large is not allowed")
    if args and kwargs:
        raise LimitError("format takes positional or keyword arguments, not both")
    return _check_size(value % (kwargs or args))


class BudgetTemplate(Template):
    """Every ``render`` runs within the time budget (docxtpl, for one, calls it itself)."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        with budget():
            return super().render(*args, **kwargs)


def environment(**options: Any) -> SandboxEnvironment:
    """A new sandboxed environment with mapgen's limits; ``options`` as for jinja2.Environment."""
    options.setdefault("undefined", StrictUndefined)
    options.setdefault("finalize", _finalize)
    env = SandboxEnvironment(**options)
    env.template_class = BudgetTemplate
    for name in _NON_DETERMINISTIC_GLOBALS:
        env.globals.pop(name, None)
    for name in _NON_DETERMINISTIC_FILTERS:
        env.filters.pop(name, None)
    env.globals["range"] = _safe_range
    for name in ("center", "indent", "join"):
        env.filters[name] = _sized_filter(env.filters[name])
    env.filters["format"] = _format_filter
    return env


def template_problem(exc: Exception, path: Any, format_name: str) -> list[Any]:
    """A render error of a user's text template as ``FILE:LINE: error: format NAME: template error: ...``."""
    import traceback

    from mapgen.errors import Problem

    line = None
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename == "<template>":
            line = frame.lineno
            break
    message = getattr(exc, "message", None) or str(exc)
    return [Problem(f"format {format_name}: template error: {message}", str(path),
                    getattr(exc, "lineno", None) or line)]


def syntax_problems(path: Any, compile_source: Callable[[str], Any]) -> list[Any]:
    """``mapgen check`` on a user's text template: its syntax errors, located (none when ``path`` is None)."""
    from jinja2 import TemplateSyntaxError

    from mapgen.errors import Problem

    if path is None:
        return []
    try:
        compile_source(path.read_text(encoding="utf-8"))
    except TemplateSyntaxError as exc:
        return [Problem(f"invalid template: {exc.message}", str(path), exc.lineno)]
    return []
