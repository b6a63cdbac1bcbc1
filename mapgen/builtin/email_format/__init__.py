"""Built-in plugin: the follow-up email after the alignment call, as a ``.eml`` draft.

multipart/alternative with a plain-text and an HTML part, both rendered in the sandbox from
templates a segment template may override (``email.txt.j2``, ``email.html.j2``). Short on
purpose: the outcome, the key dates (target beside forecast), the next steps with owners and
dates, the next check-in and a line inviting edits. Byte-identical for the same plan: the Date
header is the plan's "as of" day, the MIME boundary a hash of the content, no Message-ID.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mapgen.errors import Problem, RenderError
from mapgen.formats import OutputFormat, RenderContext
from mapgen.hookspecs import hookimpl
from mapgen.markup import plain

if TYPE_CHECKING:
    from email.headerregistry import Address
    from email.message import EmailMessage

    from mapgen.plan import Person, Plan

TEXT_TEMPLATE = "email.txt.j2"
HTML_TEMPLATE = "email.html.j2"
HERE = Path(__file__).parent
_SPACE = re.compile(r"\s+")


def one_line(text: Any) -> str:
    """Header-safe text: the reader's text of the field on one line."""
    return _SPACE.sub(" ", plain(str(text or ""))).strip()


def _address(person: Person) -> Address | None:
    from email.headerregistry import Address  # the email package only when an email is written

    if not person.email:
        return None
    try:
        local, _, domain = person.email.strip().rpartition("@")
        return Address(display_name=one_line(person.name), username=local, domain=domain)
    except Exception:  # an address the email package refuses is left out, not fatal
        return None


def _lead(plan: Plan, side: str, roles: tuple[str, ...]) -> Person | None:
    people = plan.people(side)  # type: ignore[arg-type]
    for role in roles:
        for p in people:
            if p.role == role:
                return p
    return people[0] if people else None


class EmailFormat(OutputFormat):
    name = "email"
    suffix = ".eml"
    description = "The follow-up email after the call (.eml draft: plain text and HTML)"
    assets = (TEXT_TEMPLATE, HTML_TEMPLATE)
    default = False

    def render(self, plan: Plan, context: RenderContext) -> bytes:
        variables = template_context(plan, context)
        text = _render(context, TEXT_TEMPLATE, variables, autoescape=False)
        html = _render(context, HTML_TEMPLATE, variables, autoescape=True)
        from email.policy import SMTP

        return message(plan, variables, text, html).as_bytes(policy=SMTP)

    def check_template(self, context: RenderContext) -> list[Problem]:
        from jinja2 import TemplateSyntaxError

        problems = []
        for name in self.assets:
            path = context.asset(name)
            if path is not None:
                try:
                    _compile(path.read_text(encoding="utf-8"), name.endswith(".html.j2"))
                except TemplateSyntaxError as exc:
                    problems.append(Problem(f"invalid template: {exc.message}", str(path), exc.lineno))
        return problems


def template_context(plan: Plan, context: RenderContext) -> dict[str, Any]:
    """The variables both email templates see (docs/html.md, "The follow-up email")."""
    from mapgen.wording import date_range, drivers_sentence, key_outlook

    key_dates = [("Signature", "signature", plan.signature)]
    if plan.go_live:
        key_dates.append(("Go-live", "go_live", plan.go_live))
    buyer_lead = _lead(plan, "buyer", ("champion", "economic_buyer"))
    seller_lead = _lead(plan, "seller", ("account_executive",))
    return {
        "plan": plan,
        "key_dates": key_dates,
        "why": {key: drivers_sentence(plan, key) for _, key, _ in key_dates},
        "outlook": lambda key: key_outlook(plan, key),
        "next_steps": plan.next_steps(),
        "date_range": date_range,
        "greeting": one_line(buyer_lead.name).split(" ")[0] if buyer_lead else "all",
        "sender": seller_lead,
        "buyer_lead": buyer_lead,
        "options": context.options,
        "subject": one_line(context.options.get("subject") or f"Next steps for {plain(plan.buyer.company)} × "
                            f"{plain(plan.seller.company)}, as of {_short(plan.today)}"),
    }


def _short(day: dt.date) -> str:
    from mapgen.wording import human_date

    return human_date(day)


def message(plan: Plan, variables: dict[str, Any], text: str, html: str) -> EmailMessage:
    from email.message import EmailMessage
    from email.policy import SMTP
    from email.utils import format_datetime

    msg = EmailMessage(policy=SMTP)
    sender = variables["sender"]
    if sender is not None and (address := _address(sender)) is not None:
        msg["From"] = address
    to = [a for p in plan.people("buyer") if (a := _address(p)) is not None]
    if to:
        msg["To"] = to
    msg["Subject"] = variables["subject"]
    # 17:00 UTC on the "as of" day: after a day's call, the same on every machine.
    msg["Date"] = format_datetime(dt.datetime.combine(plan.today, dt.time(17, 0), dt.timezone.utc))
    msg["X-Unsent"] = "1"  # mail clients open it as a draft to edit and send
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    digest = hashlib.sha256((text + "\0" + html).encode("utf-8")).hexdigest()[:32]
    msg.set_boundary(f"=_mapgen_{digest}")  # "=_" never occurs in quoted-printable text
    return msg


def _render(context: RenderContext, name: str, variables: dict[str, Any], autoescape: bool) -> str:
    path = context.asset(name) or HERE / name
    from mapgen.sandbox import budget

    try:
        with budget():
            out = _compile(path.read_text(encoding="utf-8"), autoescape).render(**variables)
    except Exception as exc:
        import traceback

        line = next((f.lineno for f in reversed(traceback.extract_tb(exc.__traceback__))
                     if f.filename == "<template>"), None)
        message_ = getattr(exc, "message", None) or str(exc)
        raise RenderError([Problem(f"format email: template error: {message_}", str(path),
                                   getattr(exc, "lineno", None) or line)]) from exc
    return out.strip("\n") + "\n"


@lru_cache(maxsize=16)
def _compile(source: str, autoescape: bool):  # type: ignore[no-untyped-def]
    from mapgen.builtin.html_page import html_inline
    from mapgen.sandbox import environment
    from mapgen.wording import human_date

    env = environment(autoescape=autoescape, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(md=html_inline if autoescape else plain, date=human_date)
    return env.from_string(source)


@hookimpl
def register_formats(registry) -> None:  # type: ignore[no-untyped-def]
    registry.add(EmailFormat)
