"""The follow-up email: a .eml that Python's email package reads back into a text and an HTML part."""

from __future__ import annotations

import dataclasses
import email
from email import policy

from markupsafe import escape

from mapgen.markup import plain
from mapgen.plan import Person
from mapgen.testing import HOSTILE_STRINGS
from mapgen.wording import human_date


def parse(data: bytes):  # type: ignore[no-untyped-def]
    return email.message_from_bytes(data, policy=policy.default)


def parts(data: bytes) -> tuple[str, str]:
    msg = parse(data)
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    return text, html


def test_two_parts_with_the_key_dates_next_steps_and_check_in(render, late_plan) -> None:
    data = render("email", late_plan)
    text, html = parts(data)
    for body in (text, html):
        assert human_date(late_plan.signature.target) in body
        assert human_date(late_plan.signature.forecast) in body
        if late_plan.go_live:
            assert human_date(late_plan.go_live.target) in body
        assert human_date(late_plan.next_check_in) in body
        assert "Reply with your edits" in body
    assert "cannot be met" in text
    steps = late_plan.for_reader("buyer").next_steps()
    assert steps
    for m in steps:
        assert plain(m.name) in text and m.owners.buyer.name in text and m.owners.seller.name in text
    assert late_plan.buyer.outcome is None or plain(late_plan.buyer.outcome) in text
    msg = parse(data)
    assert msg["Date"] == "Mon, 02 Nov 2026 17:00:00 +0000"  # the plan's "as of" day
    assert msg["X-Unsent"] == "1" and "Next steps for " in msg["Subject"]


def test_byte_identical(render, sample_plan) -> None:
    assert render("email", sample_plan) == render("email", sample_plan)
    assert b"boundary=\"=_mapgen_" in render("email", sample_plan)


def test_addresses_from_the_people(render, sample_plan) -> None:
    buyer = dataclasses.replace(sample_plan.buyer, people=(
        Person("Ana Díaz", "buyer", "champion", email="ana@buyer.example"),
        Person("Evil\nBcc: x@y.example", "buyer", "legal", email="legal@buyer.example")))
    seller = dataclasses.replace(sample_plan.seller, people=(
        Person("Sam Rep", "seller", "account_executive", email="sam@seller.example"),))
    plan = dataclasses.replace(sample_plan, buyer=buyer, seller=seller)
    msg = parse(render("email", plan))
    assert msg["From"].addresses[0].addr_spec == "sam@seller.example"
    assert [a.addr_spec for a in msg["To"].addresses] == ["ana@buyer.example", "legal@buyer.example"]
    assert msg["Bcc"] is None  # a line break in a name never becomes a header
    text, _ = parts(render("email", plan))
    assert text.startswith("Hi Ana,")


def test_hostile_text_stays_text(render, hostile_plan) -> None:
    text, html = parts(render("email", hostile_plan))
    assert "<script>" not in html
    shown = [s for s in HOSTILE_STRINGS if s in text]
    assert shown  # the hostile names and steps come through exactly in the text part
    for s in shown:
        if "<" in s:
            assert str(escape(s)) in html


def test_a_template_error_is_located(render, sample_plan, tmp_path) -> None:
    import pytest

    from mapgen.errors import RenderError

    (tmp_path / "email.txt.j2").write_text("Hi\n{{ nope.x }}\n", encoding="utf-8")
    with pytest.raises(RenderError) as info:
        render("email", sample_plan, template_dirs=(tmp_path,))
    problem = info.value.problems[0]
    assert problem.file.endswith("email.txt.j2") and problem.line == 2


def test_subject_from_the_template_options(render, sample_plan) -> None:
    msg = parse(render("email", sample_plan, subject="Our plan\nBcc: x@y.example"))
    assert msg["Subject"] == "Our plan Bcc: x@y.example" and msg["Bcc"] is None


def test_a_moved_check_in_says_why(tmp_path, mapgen_cli) -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    result = mapgen_cli("generate", str(root / "examples" / "acme-week-three.yaml"), "-f", "email", "-o", str(tmp_path))
    assert result.code == 0, result.err
    text, html = parts((tmp_path / "acme-week-three.eml").read_bytes())
    for body in (text, html):
        assert "Fri 27 Nov 2026 at 10:00" in body and "moved from Thu 26 Nov 2026, Thanksgiving Day" in body
