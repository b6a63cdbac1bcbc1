"""`mapgen preview`: serves on a free local port, rebuilds on a change, shows a broken brief's located error."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.browser import Browser, needs_chromium

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow  # each test starts a server process


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8")


def wait_until(predicate, timeout: float = 15.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except (urllib.error.URLError, ConnectionError, OSError, RuntimeError):
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError
        time.sleep(0.1)


@pytest.fixture
def served(tmp_path):  # type: ignore[no-untyped-def]
    brief = tmp_path / "deal.yaml"
    brief.write_text((ROOT / "examples" / "bloom-smb.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "mapgen", "preview", str(brief), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until(lambda: get(url)[0] == 200, timeout=30)
        yield brief, url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def version(url: str) -> int:
    return int(get(url + "_mapgen/version")[1])


def test_serves_rebuilds_and_shows_located_errors(served) -> None:
    brief, url = served
    status, page = get(url)
    assert status == 200 and "Bloom Studio approvals" in page and "Content-Security-Policy" in page
    before = version(url)

    brief.write_text(brief.read_text(encoding="utf-8").replace("Bloom Studio approvals", "Bloom renamed deal"),
                     encoding="utf-8")
    wait_until(lambda: version(url) > before)
    status, page = get(url)
    assert status == 200 and "Bloom renamed deal" in page and "Bloom Studio approvals" not in page

    broken = brief.read_text(encoding="utf-8").replace("amount: 18000", "amount: <b>lots</b>")
    brief.write_text(broken, encoding="utf-8")
    line = next(i for i, text in enumerate(broken.splitlines(), 1) if "<b>lots" in text)
    wait_until(lambda: get(url)[0] == 500)
    status, page = get(url)
    assert f"deal.yaml:{line}" in page, page
    assert "<b>" not in page  # nothing from the brief becomes markup

    brief.write_text(broken.replace("amount: <b>lots</b>", "amount: 18000"), encoding="utf-8")
    wait_until(lambda: get(url)[0] == 200)  # the server survived the broken brief


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::"])
def test_non_local_bind_is_refused(host, mapgen_cli) -> None:
    result = mapgen_cli("preview", str(ROOT / "examples" / "bloom-smb.yaml"), "--host", host)
    assert result.code == 2
    assert "--allow-remote" in result.err


@needs_chromium
def test_the_page_reloads_itself_in_the_browser(served) -> None:
    brief, url = served
    browser = Browser()
    try:
        browser.load(url)
        browser.eval("window.__before = 1")
        brief.write_text(brief.read_text(encoding="utf-8").replace("Bloom Studio approvals", "Reloaded deal"),
                         encoding="utf-8")
        wait_until(lambda: "Reloaded deal" in (browser.eval("document.body && document.body.innerText") or ""),
                   timeout=15)
        assert browser.eval("typeof window.__before") == "undefined"  # a real reload, not a patch
        assert not [e for e in browser.console_errors() if "Content Security Policy" in e]
    finally:
        browser.close()


def test_a_template_change_rebuilds_the_page(tmp_path) -> None:
    root = tmp_path / "templates" / "branded"
    root.mkdir(parents=True)
    (root / "template.yaml").write_text('name: branded\nextends: smb\nformats:\n  html:\n    accent: "#0F766E"\n',
                                        encoding="utf-8")
    brief = tmp_path / "deal.yaml"
    brief.write_text((ROOT / "examples" / "bloom-smb.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "mapgen", "preview", str(brief), "--port", "0", "--template",
                             "branded", "--template-path", str(tmp_path / "templates")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line = proc.stdout.readline()
        url = line.split(" at ", 1)[1].split()[0]
        assert url.startswith("http://127.0.0.1:") and not url.endswith(":0/"), line
        wait_until(lambda: "--accent:#0F766E" in get(url)[1], timeout=30)
        (root / "template.yaml").write_text(
            'name: branded\nextends: smb\nformats:\n  html:\n    accent: "#7C3AED"\n', encoding="utf-8")
        wait_until(lambda: "--accent:#7C3AED" in get(url)[1])
    finally:
        proc.terminate()
        proc.wait(10)
