"""Headless Chromium driven over the DevTools protocol (websocket-client): no browser download.

Debian's chromium (installed by .ci/run) runs with a fresh profile, no network services, and a
DevTools port chosen by the system. Tests load a page, evaluate JavaScript, collect the requests
and dialogs the page caused, print it to PDF and take screenshots.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--mute-audio", "--remote-debugging-port=0")
AXE = Path(__file__).with_name("vendor") / "axe.min.js"


def available() -> bool:
    return Path(CHROMIUM).exists()


def needs_chromium(func):  # type: ignore[no-untyped-def]
    """Skip without Chromium, except under CI (``CI`` set), where .ci/run installs it and a skip would hide a gap.
    Marks the test slow: ``pytest -m "not slow"`` leaves it out."""
    import pytest

    return pytest.mark.slow(pytest.mark.skipif(not available() and not os.environ.get("CI"),
                                               reason="chromium is not installed (.ci/run installs it)")(func))


class Browser:
    def __init__(self) -> None:
        import websocket

        from tests import slow

        slow.require("Chromium")

        self.profile = tempfile.mkdtemp(prefix="mapgen-chromium-")
        self.proc = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("chromium did not start")
            time.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            page = next(t for t in json.load(r) if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.send(f"{domain}.enable")

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)
            if message.get("method") == "Page.javascriptDialogOpening":  # never leave a dialog blocking
                self.ws.send(json.dumps({"id": 0, "method": "Page.handleJavaScriptDialog",
                                         "params": {"accept": True}}))

    def wait_for(self, event: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        seen = len(self.events)
        while time.monotonic() < deadline:
            for message in self.events[seen:]:
                if message.get("method") == event:
                    return message
            seen = len(self.events)
            self.send("Runtime.evaluate", expression="1")  # pumps events
            time.sleep(0.05)
        raise TimeoutError(event)

    def load(self, url: str, width: int = 1280, height: int = 900, mobile: bool = False) -> None:
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                  mobile=mobile)
        self.events.clear()
        self.send("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def eval(self, expression: str, await_promise: bool = False) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=await_promise)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def requests(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]

    def dialogs(self) -> list[dict[str, Any]]:
        return [e["params"] for e in self.events if e.get("method") == "Page.javascriptDialogOpening"]

    def console_errors(self) -> list[str]:
        return [e["params"]["entry"]["text"] for e in self.events
                if e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error"]

    def axe(self, level: tuple[str, ...] = ("serious", "critical")) -> list[dict[str, Any]]:
        self.eval(AXE.read_text(encoding="utf-8"))
        found = self.eval("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => "
                          "({id: v.id, impact: v.impact, help: v.help, "
                          "nodes: v.nodes.map(n => n.html.slice(0, 200))})))", await_promise=True)
        return [v for v in found if v["impact"] in level]

    def pdf(self) -> bytes:
        result = self.send("Page.printToPDF", printBackground=True, preferCSSPageSize=True)
        return base64.b64decode(result["data"])

    def screenshot(self, full_page: bool = True) -> bytes:
        params: dict[str, Any] = {"format": "png", "captureBeyondViewport": full_page}
        if full_page:
            size = self.eval("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            params["clip"] = {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1}
        return base64.b64decode(self.send("Page.captureScreenshot", **params)["data"])

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:
            pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def pdf_pages(data: bytes) -> int:
    import re

    return len(re.findall(rb"/Type\s*/Page[^s]", data))
