"""The HTML plan: escaped, self-contained, and checked in headless Chromium at phone and desktop widths."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mapgen.markup import plain
from mapgen.testing import HOSTILE_STRINGS, make_plan
from tests.browser import Browser, needs_chromium, pdf_pages

ROOT = Path(__file__).resolve().parents[1]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def test_page_is_self_contained_with_a_strict_policy(render, sample_plan) -> None:
    html = render("html", sample_plan).decode()
    found = tags(html)
    policy = next(a["content"] for t, a in found if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert policy.startswith("default-src 'none'")
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'", policy)
    assert next(a for t, a in found if t == "html")["lang"] == "en"
    for tag, attrs in found:  # nothing to fetch: only links the brief wrote (followed on a click) leave the page
        for name in ("src", "href", "srcset", "action", "poster"):
            value = attrs.get(name)
            allowed = ("data:", "#") + (("https://", "http://", "mailto:") if tag == "a" and name == "href" else ())
            assert value is None or value.startswith(allowed), (tag, attrs)
    assert sum(t == "script" for t, _ in found) == 1


def test_same_plan_same_bytes(render, sample_plan) -> None:
    assert render("html", sample_plan) == render("html", sample_plan)


def test_hostile_text_is_escaped(render, hostile_plan) -> None:
    html = render("html", hostile_plan).decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert sum(t == "script" for t, _ in tags(html)) == 1


def test_markdown_is_rendered_to_safe_tags_only(render) -> None:
    from mapgen.builtin.html_page import html_inline

    assert html_inline("**bold** and `<b>`") == "<strong>bold</strong> and <code>&lt;b&gt;</code>"
    assert "<a" not in html_inline("[x](javascript:alert(1))")
    assert html_inline("[x](https://example.com/?a=1&b=2)") == \
        '<a href="https://example.com/?a=1&amp;b=2" rel="noopener noreferrer">x</a>'
    assert html_inline("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;"


def test_infeasible_target_is_red_and_says_so(render, late_plan) -> None:
    html = render("html", late_plan).decode()
    assert late_plan.signature.feasible is False
    assert 'class="cannot">Cannot be met' in html
    assert "cannot be met.</strong> Why:" in html


def test_branding_accent_and_logo(render, sample_plan, tmp_path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\nfake")
    html = render("html", sample_plan, template_dirs=(tmp_path,), accent="#0F766E", logo="logo.png").decode()
    assert "--accent:#0F766E" in html
    assert '<img src="data:image/png;base64,' in html
    light = render("html", sample_plan, accent="#FDE68A").decode()  # too light for text: dark text instead
    assert "--accent-text:#1E293B" in light and "--on-accent:#111827" in light


@pytest.mark.parametrize("options", [{"accent": "red; } body { x"}, {"logo": "../../etc/passwd"}])
def test_bad_branding_is_an_error(render, sample_plan, options) -> None:
    from mapgen.errors import RenderError

    with pytest.raises(RenderError):
        render("html", sample_plan, **options)


def test_template_override_error_is_located(render, sample_plan, tmp_path) -> None:
    from mapgen.errors import RenderError

    (tmp_path / "plan.html.j2").write_text("<p>\n{{ plan.nope }}</p>\n", encoding="utf-8")
    with pytest.raises(RenderError) as info:
        render("html", sample_plan, template_dirs=(tmp_path,))
    problem = info.value.problems[0]
    assert problem.line == 2 and problem.file.endswith("plan.html.j2")


# --- in the browser ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    b = Browser()
    yield b
    b.close()


def _page(tmp_path: Path, render, plan, name: str = "plan.html") -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_bytes(render("html", plan))
    return path.as_uri()


def fits(browser: Browser, width: int) -> bool:
    """Nothing wider than the screen. On a phone the layout viewport grows with wide content (innerWidth
    too), so both are compared with the device width itself."""
    return browser.eval("[document.documentElement.scrollWidth, window.innerWidth]") == [width, width]


@needs_chromium
@pytest.mark.parametrize("width", [375, 1280])
def test_no_horizontal_overflow_and_every_step_shown(browser, render, tmp_path, width) -> None:
    plan = make_plan(20, long_names=True)
    url = _page(tmp_path, render, plan)
    browser.load(url, width=width, mobile=width < 500)
    assert fits(browser, width), browser.eval("document.documentElement.scrollWidth")
    text = " ".join(browser.eval("document.getElementById('plan').innerText").split())
    for m in plan.for_reader("buyer").milestones:
        assert " ".join(plain(m.name).split()) in text, m.name
    assert browser.eval("!!document.querySelector('.controls select')")  # the script ran: its hash is allowed
    assert browser.console_errors() == []
    assert browser.requests() == [url]


@needs_chromium
def test_filter_by_owner_and_hide_done(browser, render, sample_plan, tmp_path) -> None:
    browser.load(_page(tmp_path, render, sample_plan))
    owner = sample_plan.for_reader("buyer").milestones[0].owners.buyer.name
    shown = browser.eval(f"""(() => {{ const s = document.querySelector('.controls select');
        s.value = {owner!r}; s.dispatchEvent(new Event('change'));
        return [...document.querySelectorAll('#plan tr[data-owners]')].filter(r => !r.hidden).length }})()""")
    assert shown == sum(owner in (m.owners.buyer.name, m.owners.seller.name) for m in sample_plan.for_reader("buyer").milestones)


@needs_chromium
def test_hostile_strings_exact_and_inert(browser, render, hostile_plan, tmp_path) -> None:
    url = _page(tmp_path, render, hostile_plan)
    for width in (375, 1280):
        browser.load(url, width=width, mobile=width < 500)
        text = browser.eval("document.body.innerText")
        for s in HOSTILE_STRINGS:
            assert s in text, s
        assert browser.dialogs() == []
        assert browser.eval("document.scripts.length") == 1
        assert browser.requests() == [url]
        assert fits(browser, width)


@needs_chromium
@pytest.mark.parametrize("fixture", ["sample_plan", "late_plan", "hostile_plan"])
def test_no_serious_accessibility_violations(browser, render, tmp_path, fixture, request) -> None:
    plan = request.getfixturevalue(fixture)
    url = _page(tmp_path, render, plan)
    for width in (375, 1280):
        browser.load(url, width=width, mobile=width < 500)
        assert browser.axe() == []


@needs_chromium
def test_prints_on_one_or_two_pages(browser, render, tmp_path) -> None:
    for plan in (make_plan(14), make_plan(14, late=True)):
        browser.load(_page(tmp_path, render, plan))
        assert 1 <= pdf_pages(browser.pdf()) <= 2


@needs_chromium
def test_the_examples_print_on_two_pages_at_most(browser, tmp_path, mapgen_cli) -> None:
    result = mapgen_cli("generate", str(ROOT / "examples"), "-f", "html", "-o", str(tmp_path))
    assert result.code == 0, result.err
    pages = sorted(tmp_path.glob("*.html"))
    assert len(pages) >= 3
    for page in pages:
        browser.load(page.as_uri(), width=375, mobile=True)
        assert fits(browser, 375), page.name
        assert browser.axe() == [], page.name
        browser.load(page.as_uri())
        assert pdf_pages(browser.pdf()) <= 2, page.name


@needs_chromium
def test_the_checker_finds_what_it_should(browser, tmp_path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><head><title>x</title></head><body><p style="color:#ccc">low contrast'
                   '</p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></body></html>', encoding="utf-8")
    browser.load(bad.as_uri())
    assert {v["id"] for v in browser.axe()} >= {"color-contrast", "image-alt"}


def test_timeline_draws_states_target_and_forecast(render, late_plan) -> None:
    html = render("html", late_plan).decode()
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert "<title>Target signature" in svg
    assert 'stroke="#B91C1C" stroke-width="2" stroke-dasharray="5 4"><title>Forecast signature' in svg  # late: red
    assert 'fill="#B91C1C"' in svg  # a late step's bar
    assert svg.count("<rect") >= len(late_plan.for_reader("buyer").milestones)
    assert 'aria-labelledby="timeline-caption"' in svg and 'id="timeline-caption"' in html
    labels = [float(x) for x in re.findall(r'<text x="([\d.]+)" y="14"', svg)]
    assert all(b - a >= 60 for a, b in zip(labels, labels[1:]))  # month labels never overlap


def test_check_finds_a_broken_page_template(tmp_path, mapgen_cli) -> None:
    folder = tmp_path / "templates" / "broken"
    folder.mkdir(parents=True)
    (folder / "template.yaml").write_text("name: broken\nextends: smb\n", encoding="utf-8")
    (folder / "plan.html.j2").write_text("<p>\n{% if %}\n", encoding="utf-8")
    result = mapgen_cli("template", "check", str(folder))
    assert result.code == 1
    assert "plan.html.j2:2: error: invalid template" in result.err


def test_caption_names_the_shaded_days(render, tmp_path, mapgen_cli) -> None:
    result = mapgen_cli("generate", str(ROOT / "examples" / "acme-week-three.yaml"), "-f", "html", "-o", str(tmp_path))
    assert result.code == 0, result.err
    html = (tmp_path / "acme-week-three.html").read_text(encoding="utf-8")
    caption = html[html.index('id="timeline-caption"'):html.index("</figcaption>")]
    assert "Thu 26 Nov 2026 (Thanksgiving Day)" in caption


def test_each_month_label_stands_over_its_own_month(render, tmp_path) -> None:
    """The axis of the enterprise example starts on 21 Oct: too little of October shows to hold its label, so
    the first label is November's, at November's tick (a review found "Oct 2026" printed over November)."""
    from mapgen.testing import plan_from_brief

    brief = (Path(__file__).resolve().parents[1] / "examples" / "acme-enterprise.yaml").read_text(encoding="utf-8")
    page = render("html", plan_from_brief(brief, tmp_path=tmp_path)).decode()
    labels = re.findall(r'<text x="([\d.]+)" y="14" fill="#475569">(\w+ \d{4})</text>', page)
    ticks = [float(t) for t in re.findall(r'<line x1="([\d.]+)" y1="18"', page)]
    assert labels[0][1] == "Nov 2026"
    for x, _ in labels:
        assert any(abs(float(x) - 3 - t) < 0.01 for t in ticks)  # each label starts at a month's tick
