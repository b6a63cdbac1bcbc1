"""Issue 13, hardening: every input found by fuzzing and every small hostile input ends quickly
with a located error (``FILE:LINE: error: MESSAGE``), never an internal error."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SMB = ROOT / "templates" / "smb" / "template.yaml"

BASE = """\
deal:
  name: Bloom Studio approvals
  amount: 18000
  currency: EUR
buyer:
  company: Bloom Studio
  country: NL
  people:
    - {name: Femke de Vries, title: Studio Manager, role: champion}
seller:
  company: Northwind
dates:
  today: 2026-11-02
  go_live: 2026-12-11
"""


def write(tmp_path: Path, text: str | bytes, name: str = "brief.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return path


def located(result, path: Path, line: int | None = None) -> str:
    """The one error line of a failed run, checked to be ``FILE:LINE: error: ...``."""
    assert result.code == 1, (result.out, result.err)
    assert "internal error" not in result.err and "Traceback" not in result.err, result.err
    errors = result.errors
    assert errors, result.err
    for error in errors:
        match = re.match(rf"^{re.escape(str(path))}:(\d+): error: ", error)
        assert match, f"not located in {path}: {error}"
        if line is not None:
            assert int(match.group(1)) == line, error
    return "\n".join(errors)


# -- causes found by fuzzing: each is a located error ---------------------------------------------------

CAUSES = {
    "int in calendar.weekend": (BASE + "calendar: {weekend: [5]}\n", 15, "5 is not a weekday"),
    "4,301-digit amount": (BASE.replace("amount: 18000", "amount: " + "9" * 4301), 3, "!!int value"),
    "huge amount as text": (BASE.replace("amount: 18000", "amount: '" + "9" * 400 + "'"), 3, "deal.amount"),
    "duration overflowing timedelta": (BASE + "milestones: {discovery_call: {duration: 99999999999d}}\n", 15,
                                       "longer than 2600"),
    "duration past the calendar": (BASE + "milestones: {discovery_call: {duration: 9999999}}\n", 15,
                                   "longer than 2600"),
    "lone surrogate in a date": (BASE.replace("go_live: 2026-12-11", 'go_live: "2026-12-\\udc80"'), 14,
                                 "not a valid date"),
    "!!int tag": (BASE.replace("amount: 18000", "amount: !!int x"), 3, "!!int value 'x' is not valid"),
    "!!bool tag": (BASE.replace("amount: 18000", "amount: !!bool maybe"), 3, "!!bool value"),
    "!!float tag": (BASE.replace("amount: 18000", "amount: !!float x"), 3, "!!float value"),
    "python tag": (BASE.replace("amount: 18000", "amount: !!python/object:os.system x"), 3, "unsupported YAML tag"),
    "%YAML 1.3": ("%YAML 1.3\n---\n" + BASE, 1, "invalid YAML"),
    "%YAML 2.0": ("%YAML 2.0\n---\n" + BASE, 1, "invalid YAML"),
    "300-character segment": (BASE.replace("currency: EUR", "currency: EUR\n  segment: " + "a" * 300), 5,
                              "is not a template name"),
    "nesting 300 deep (flow)": (BASE + "add: " + "[" * 300 + "]" * 300 + "\n", 15, "nested more than 50"),
    "nesting 300 deep (block)": (BASE + "".join("  " * i + f"k{i}:\n" for i in range(300)) + "  " * 300 + "v\n",
                                 None, "nested more than 50"),
    "dates past 2200": (BASE.replace("go_live: 2026-12-11", "go_live: 2300-12-11"), 14, "outside the years"),
    "a closed period past 2200": (BASE + "calendar: {closed: ['2026-12-24..2301-01-01']}\n", 15, "within 1900-2199"),
    "all-weekend calendar": (BASE + "calendar: {weekend: [mon, tue, wed, thu, fri, sat, sun]}\n", 15,
                             "every day of the week is a weekend"),
    "all-closed calendar": (BASE + "calendar: {closed: ['2026-01-01..2199-12-31']}\n", 15, "no working day"),
    "durations past the calendar's end": (
        BASE.replace("2026-12-11", "2190-01-01") + "milestones: {trial: {duration: 2600}, setup: {duration: 2600},"
        " adoption: {duration: 2600}}\n", 12, "outside the calendar's range"),
    "amount .inf": (BASE.replace("amount: 18000", "amount: .inf"), 3, "not an amount (a finite number)"),
    "amount .nan": (BASE.replace("amount: 18000", "amount: .nan"), 3, "not an amount (a finite number)"),
    "segment ../../tmp/x": (BASE.replace("currency: EUR", "currency: EUR\n  segment: ../../tmp/x"), 5,
                            "is not a template name"),
}


@pytest.mark.parametrize("name", sorted(CAUSES))
def test_each_fuzzing_cause_is_a_located_error(name, tmp_path, mapgen_cli):
    text, line, message = CAUSES[name]
    path = write(tmp_path, text)
    errors = located(mapgen_cli("plan", path, "--json"), path, line)
    assert message in errors


def test_non_utf8_bytes_are_located(tmp_path, mapgen_cli):
    path = write(tmp_path, BASE.encode().replace(b"Bloom Studio\n", b"Bloom \xff\xfe Studio\n"))
    assert "not UTF-8 text" in located(mapgen_cli("plan", path), path, 6)


def test_control_characters_are_dropped_not_invalid_yaml(tmp_path, mapgen_cli):
    path = write(tmp_path, BASE.replace("Bloom Studio approvals", "Bloom\x01\x1b Studio\x7f approvals\x9f"))
    result = mapgen_cli("plan", path, "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["deal"]["name"] == "Bloom Studio approvals"


def test_a_step_before_value_review_schedules(tmp_path, mapgen_cli):
    path = write(tmp_path, BASE + "add: [{id: extra_check, name: Extra check, workstream: onboarding, duration: 2,"
                                  " before: [value_review]}]\n")
    result = mapgen_cli("plan", path, "--json")
    assert result.code == 0, result.err
    steps = {m["id"]: m for m in json.loads(result.out)["milestones"]}
    assert steps["extra_check"]["due"] < steps["value_review"]["start"]


def test_columns_that_is_not_a_number_is_ignored(tmp_path, mapgen_cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "abc")
    result = mapgen_cli("plan", write(tmp_path, BASE))
    assert result.code == 0, result.err
    monkeypatch.setenv("COLUMNS", "9" * 5000)
    assert mapgen_cli("plan", write(tmp_path, BASE)).code == 0


# -- denial of service from small inputs -----------------------------------------------------------------

def test_a_yaml_alias_bomb_fails_fast_and_located(tmp_path, mapgen_cli):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    previous = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
        previous = name
    path = write(tmp_path, "\n".join(lines) + "\n" + BASE)
    assert path.stat().st_size < 2000
    started = time.monotonic()
    errors = located(mapgen_cli("plan", path), path)
    assert "aliases are expanded" in errors
    assert time.monotonic() - started < 10


def _template_with(tmp_path: Path, *, when: str | None = None, markdown: str | None = None,
                   name: str = "hostile") -> Path:
    """A copy of the shipped smb template named ``name`` with a hostile condition or Markdown template."""
    root = tmp_path / "templates"
    folder = root / name
    folder.mkdir(parents=True)
    text = SMB.read_text(encoding="utf-8").replace("name: smb\n", f"name: {name}\n")
    if when is not None:
        text = re.sub(r'(?m)^  when: ".*"$', "  when: " + json.dumps(when), text)
    (folder / "template.yaml").write_text(text, encoding="utf-8")
    if markdown is not None:
        (folder / "plan.md.j2").write_text(markdown, encoding="utf-8")
    return root


HOSTILE_CONDITIONS = {
    "power": ("10**100000000 > 0", "too large"),
    "lipsum": ("lipsum(1000000)|length > 0", "'lipsum' is undefined"),
    "range": ("range(100000000)|list|length > 0", "range of 100,000,000 items"),
    "repeat": ("('x' * 999999) * 999 == 1", "at most 1,000,000"),
    "format width": ("'{:>9999999999}'.format(1)|length > 0", "width or precision"),
    "percent width": ("'%9999999999d' % 1 == 1", "width or precision"),
    "center": ("'x'.center(10**9)|length > 0", "size over"),
    "a list too long": ("(range(9999)|list) * 999 == 1", "at most 1,000,000"),
    "loops in filters": ("range(10000)|map('string')|map('center', 99999)|join|length > 0",
                         "more than 50,000,000 characters"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_CONDITIONS))
def test_a_hostile_condition_fails_fast_and_only_for_briefs_that_use_it(name, tmp_path, mapgen_cli):
    when, message = HOSTILE_CONDITIONS[name]
    root = _template_with(tmp_path, when=when)
    brief = write(tmp_path, BASE)
    started = time.monotonic()
    explicit = mapgen_cli("plan", brief, "--template", "hostile", "--template-path", root)
    assert time.monotonic() - started < 15
    errors = located(explicit, root / "hostile" / "template.yaml", 5)
    assert message in errors
    selected = mapgen_cli("plan", brief, "--json", "--template-path", root)  # smb takes the deal
    assert selected.code == 0, selected.err
    assert json.loads(selected.out)["template"] == "smb"


def test_a_broken_template_is_reported_when_no_other_takes_the_deal(tmp_path):
    from mapgen.brief import load_brief
    from mapgen.errors import MapgenError
    from mapgen.pipeline import select_template
    from mapgen.catalog import Catalog

    root = _template_with(tmp_path, when="10**100000000 > 0")
    (root / "unreadable").mkdir()
    (root / "unreadable" / "template.yaml").write_text("name: [\n", encoding="utf-8")
    loaded = load_brief(write(tmp_path, BASE))
    started = time.monotonic()
    with pytest.raises(MapgenError) as caught:
        select_template(loaded, Catalog([root]), None, dt.date(2026, 11, 2))
    assert time.monotonic() - started < 10
    messages = [str(p) for p in caught.value.problems]
    assert any(m.startswith(f"{root / 'hostile' / 'template.yaml'}:5: error: ") and "too large" in m
               for m in messages), messages
    assert any(m.startswith(f"{root / 'unreadable' / 'template.yaml'}:") for m in messages), messages
    assert messages[-1].endswith("no template's selection rule matches this deal; set deal.segment")
    shutil.copytree(ROOT / "templates" / "smb", root / "smb")  # another template takes the deal: no error
    assert select_template(loaded, Catalog([root]), None, dt.date(2026, 11, 2)).name == "smb"


HOSTILE_MARKDOWN = {
    "nested range loops": ("{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}",
                           "more than 5 seconds", 1),
    "lipsum": ("{{ lipsum(1000000) }}", "'lipsum' is undefined", 1),
    "power": ("x\n{{ 10**100000000 }}", "too large", 2),
    "printing too much": ("{% for i in range(10000) %}{{ 'x' * 999999 }}{% endfor %}", "printed more than", 1),
    "recursion": ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "recursion", 1),
}


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n == "nested range loops" else n
                                  for n in sorted(HOSTILE_MARKDOWN)])  # that one runs the whole 5-second budget
def test_a_hostile_markdown_template_fails_fast_and_located(name, tmp_path, mapgen_cli):
    markdown, message, line = HOSTILE_MARKDOWN[name]
    root = _template_with(tmp_path, markdown=markdown)
    brief = write(tmp_path, BASE)
    started = time.monotonic()
    result = mapgen_cli("generate", brief, "-f", "md,json", "--template", "hostile", "--template-path", root,
                        "-o", tmp_path / "out")
    assert time.monotonic() - started < 20
    errors = located(result, root / "hostile" / "plan.md.j2", line)
    assert message in errors.lower() or message in errors
    assert (tmp_path / "out" / "brief.json").is_file()  # the other format is still written
    assert not (tmp_path / "out" / "brief.md").exists()


def test_markdown_templates_see_no_memory_address_and_no_folder(tmp_path, mapgen_cli):
    markdown = "{{ plan.source }}|{{ plan.deal }}|{{ steps|length }}\n"
    root = _template_with(tmp_path, markdown=markdown)
    brief = write(tmp_path, BASE)
    outputs = []
    for run in range(2):
        result = mapgen_cli("generate", brief, "-f", "md", "--template", "hostile", "--template-path", root,
                            "-o", tmp_path / f"out{run}")
        assert result.code == 0, result.err
        outputs.append((tmp_path / f"out{run}" / "brief.md").read_text(encoding="utf-8"))
    assert outputs[0].startswith("brief.yaml|")
    assert str(tmp_path) not in outputs[0]
    assert not re.search(r"0x[0-9a-f]{6,}", outputs[0]), outputs[0]
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("printed", ["lipsum", "range", "cycler", "plan.by_workstream", "dict"])
def test_printing_a_function_is_an_error_not_a_memory_address(printed, tmp_path, mapgen_cli):
    root = _template_with(tmp_path, markdown="{{ %s }}\n" % printed)
    result = mapgen_cli("generate", write(tmp_path, BASE), "-f", "md", "--template", "hostile",
                        "--template-path", root, "-o", tmp_path / "out")
    errors = located(result, root / "hostile" / "plan.md.j2", 1)
    assert "0x" not in errors


def test_json_is_strict(sample_plan):
    import dataclasses

    from mapgen.builtin.json_format import plan_json
    from mapgen.plan import Deal

    plan = dataclasses.replace(sample_plan, deal=Deal("x", float("inf"), "USD"))
    with pytest.raises(ValueError):
        plan_json(plan)


# -- segment is a name --------------------------------------------------------------------------------------

@pytest.mark.parametrize("segment", ["../../tmp/x", "/tmp/x", "smb/../smb", "./smb", "SMB"])
def test_segment_never_selects_a_folder(segment, tmp_path, mapgen_cli):
    folder = tmp_path / "x"
    shutil.copytree(ROOT / "templates" / "smb", folder)
    path = write(tmp_path, BASE.replace("currency: EUR", f"currency: EUR\n  segment: {json.dumps(segment)}"))
    assert "is not a template name" in located(mapgen_cli("plan", path), path, 5)


def test_extends_never_leaves_the_search_path(tmp_path):
    from mapgen.catalog import Catalog

    catalog = Catalog([ROOT / "templates"])
    assert catalog.folder_of("smb") is not None
    for name in ("../templates/smb", str(ROOT / "templates" / "smb"), "..", ".", ""):
        assert catalog.folder_of(name) is None


def test_template_path_is_still_the_explicit_way_to_use_a_folder(tmp_path, mapgen_cli):
    folder = tmp_path / "mine"
    shutil.copytree(ROOT / "templates" / "smb", folder)
    result = mapgen_cli("plan", write(tmp_path, BASE), "--json", "--template", folder)
    assert result.code == 0, result.err


# -- hostile text never fails a format ----------------------------------------------------------------

LINE_BREAKING = ["A\x85B", "A\u2028B\u2029C", "Acme\nCorp", "A\r\nB\x0bC\x0cD", "\u200b\ufeff", "A\u0301\u0301\u0301"]


@pytest.mark.parametrize("text", LINE_BREAKING)
def test_unusual_line_breaks_never_fail_a_format(text, sample_plan, render):
    import dataclasses

    from mapgen.plan import Deal
    from mapgen.plugins import formats

    plan = dataclasses.replace(sample_plan, deal=Deal(text, 1, "USD"),
                               buyer=dataclasses.replace(sample_plan.buyer, company=text),
                               seller=dataclasses.replace(sample_plan.seller, company=text))
    for name in formats().names():
        assert render(name, plan), name


def test_a_10000_character_word_does_not_make_the_deck_quadratic(sample_plan, render):
    import dataclasses

    from mapgen.builtin.pptx_deck.measure import wrap
    from mapgen.plan import Deal

    word = "Supercalifragilistic" * 500
    started = time.monotonic()
    lines = wrap(word, 300, 28, True).lines
    assert time.monotonic() - started < 0.5
    assert "".join(lines) == word and len(lines) > 10
    plan = dataclasses.replace(sample_plan, deal=Deal("Deal " + word, 1, "USD"),
                               buyer=dataclasses.replace(sample_plan.buyer, company=word[:5000]))
    started = time.monotonic()
    assert render("pptx", plan)
    assert time.monotonic() - started < 15


def test_wrapping_normal_text_is_unchanged():
    from mapgen.builtin.pptx_deck.measure import wrap

    assert wrap("Onboard a new warehouse in one week instead of six", 120, 12).lines == (
        "Onboard a new", "warehouse in one", "week instead of six")  # as before the linear word break
    assert wrap("Northwind-Logistics-Software-Inc", 60, 12).lines == ("Northwind", "-Logistics-", "Software-I", "nc")
    assert len(wrap("Northwind Logistics Software", 60, 12).lines) > 1  # wrapped, never cut


def test_an_inline_if_without_else_still_prints_nothing(tmp_path, mapgen_cli):
    """Found by the fuzzer: the default plan.md.j2 prints {{ "s" if many }}, an Undefined when false."""
    root = _template_with(tmp_path, markdown='step{{ "s" if steps|length > 999 }} {{ "x" if true }}\n')
    result = mapgen_cli("generate", write(tmp_path, BASE), "-f", "md", "--template", "hostile",
                        "--template-path", root, "-o", tmp_path / "out")
    assert result.code == 0, result.err
    assert (tmp_path / "out" / "brief.md").read_text(encoding="utf-8") == "step x\n"


def test_every_sandboxed_render_has_a_time_budget(monkeypatch):
    """Word templates are rendered by docxtpl, which calls Template.render itself: the budget is in the class."""
    from mapgen import sandbox

    monkeypatch.setattr(sandbox, "BUDGET_SECONDS", 0.5)
    env = sandbox.environment(autoescape=True)
    template = env.from_string("{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}")
    started = time.monotonic()
    with pytest.raises(sandbox.RenderTimeout):
        template.render()
    assert time.monotonic() - started < 5
    assert env.from_string("{{ 6 * 7 }}").render() == "42"


def test_template_wide_problems_are_located(tmp_path, mapgen_cli):
    root = tmp_path / "templates"
    folder = root / "nosig"
    folder.mkdir(parents=True)
    text = SMB.read_text(encoding="utf-8").replace("name: smb\n", "name: nosig\n")
    text = re.sub(r"(?m)^(\s+- id: )signature$", r"\1signed", text).replace("[signature]", "[signed]")
    text = re.sub(r"(?m)^check_in: .*$", "check_in: someday 99:99", text)
    (folder / "template.yaml").write_text(text, encoding="utf-8")
    result = mapgen_cli("check", folder)
    errors = located(result, folder / "template.yaml")
    assert "exactly one milestone with id 'signature'" in errors and "check_in:" in errors


def test_a_plan_render_gets_room_for_each_step() -> None:
    """A whole plan's render may print PER_STEP_OUTPUT more characters (and take PER_STEP_SECONDS longer) per
    step: a 5,000-step plan is not a hostile template; the message names the allowance."""
    from jinja2.exceptions import SecurityError

    from mapgen import sandbox

    template = sandbox.environment().from_string("{% for i in range(6) %}{{ 'x' * 1000000 }}{% endfor %}")
    with pytest.raises(SecurityError, match=r"printed more than 5,000,000 characters and 2,000 for each of the "
                                            r"plan's 10 steps"):
        with sandbox.budget(steps=10):
            template.render()
    with sandbox.budget(steps=1000):
        assert len(template.render()) == 6_000_000
