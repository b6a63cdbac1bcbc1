"""``mapgen preview BRIEF``: the HTML page served on 127.0.0.1, rebuilt and reloaded on every change.

Built on maintained libraries: Starlette serves the page, uvicorn runs it, watchfiles watches the
brief's folder and the template folders. The page asks ``/_mapgen/version`` every 700 ms (fetch to
the same origin, allowed by the page's Content-Security-Policy only in preview) and reloads when the
plan was rebuilt. A brief or template that fails shows its located errors in the page; the server
keeps running and the next save rebuilds it.
"""

from __future__ import annotations

import datetime as dt
import threading
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from markupsafe import escape

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
VERSION_PATH = "/_mapgen/version"
POLL_MS = 700


def reload_script(version: int) -> str:
    return ("(function(){var v='%d';setInterval(function(){fetch('%s',{cache:'no-store'})"
            ".then(function(r){return r.text()}).then(function(t){if(t!==v)location.reload()})"
            ".catch(function(){})},%d)})();" % (version, VERSION_PATH, POLL_MS))


def is_local(host: str) -> bool:
    return host.strip("[]") in LOCAL_HOSTS


@dataclass
class Preview:
    brief: Path
    template: str | None = None
    today: dt.date | None = None
    audience: str = "buyer"
    template_path: Sequence[Path] = ()
    version: int = 0
    page: str = ""
    folders: tuple[Path, ...] = ()
    ok: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def build(self) -> None:
        """Render the page (or the error page) and bump the version."""
        from mapgen.errors import MapgenError

        version = self.version + 1
        try:
            page, folders = self._render(version)
            ok = True
        except MapgenError as exc:
            page, folders, ok = error_page(exc.problems, version), self.folders, False
        except Exception as exc:  # a bug or an unexpected input: shown, never fatal to the server
            from mapgen.errors import Problem

            where = traceback.extract_tb(exc.__traceback__)[-1]
            problem = Problem(f"{type(exc).__name__}: {exc}", where.filename, where.lineno)
            page, folders, ok = error_page([problem], version), self.folders, False
        with self.lock:
            self.page, self.folders, self.ok, self.version = page, folders, ok, version

    def _render(self, version: int) -> tuple[str, tuple[Path, ...]]:
        from mapgen.builtin.html_page import render_page
        from mapgen.pipeline import plan_brief
        from mapgen.render import context_for
        from mapgen.catalog import default_catalog

        catalog = default_catalog(list(self.template_path))  # fresh: a template edit is read again
        planned = plan_brief(self.brief, today=self.today, template=self.template, catalog=catalog,
                             display=str(self.brief))
        context = context_for(planned.template, "html", self.audience)  # type: ignore[arg-type]
        page = render_page(planned.plan.for_reader(self.audience), context, extra_script=reload_script(version),
                           extra_csp="connect-src 'self'")
        return page, tuple(planned.template.folders)

    def watched(self) -> list[Path]:
        paths = {self.brief.resolve().parent, *(Path(p).resolve() for p in self.template_path)}
        paths.update(f.resolve() for f in self.folders)
        return sorted(p for p in paths if p.exists())


def error_page(problems: Sequence[Any], version: int) -> str:
    from mapgen.builtin.html_page import csp

    style = ("body{font:16px/1.5 system-ui,sans-serif;margin:24px;color:#1E293B}"
             "h1{color:#B91C1C;font-size:1.3rem}li{margin:6px 0;overflow-wrap:anywhere}code{font-weight:600}")
    script = reload_script(version)
    policy = csp(style, script, "connect-src 'self'")
    items = "".join(f"<li><code>{escape(p.file or 'mapgen')}{':' + str(p.line) if p.line else ''}</code>: "
                    f"{escape(p.message)}</li>" for p in problems)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{escape(policy)}">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>mapgen preview: error</title>'
            f"<style>{style}</style></head><body><main><h1>The plan could not be built</h1><ul>{items}</ul>"
            f"<p>Fix the file and save: this page reloads by itself.</p></main><script>{script}</script></body></html>")


def app(preview: Preview):  # type: ignore[no-untyped-def]
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse, PlainTextResponse
    from starlette.routing import Route

    headers = {"Cache-Control": "no-store"}

    async def page(request: Any) -> HTMLResponse:
        with preview.lock:
            return HTMLResponse(preview.page, status_code=200 if preview.ok else 500, headers=headers)

    async def version(request: Any) -> PlainTextResponse:
        return PlainTextResponse(str(preview.version), headers=headers)

    return Starlette(routes=[Route("/", page), Route(VERSION_PATH, version)])


def watch(preview: Preview, stop: threading.Event) -> None:
    """Rebuild on every change under the watched folders; follow the template folders as they change."""
    from watchfiles import watch as watch_changes

    while not stop.is_set():
        paths = preview.watched()
        brief = preview.brief.resolve()
        folders = [f.resolve() for f in preview.folders] + [Path(p).resolve() for p in preview.template_path]

        def relevant(change: Any, path: str) -> bool:  # the brief itself, or a file in a template folder
            changed = Path(path)
            return changed == brief or any(changed.is_relative_to(f) for f in folders)

        for _ in watch_changes(*paths, watch_filter=relevant, stop_event=stop, debounce=150, step=50,
                               rust_timeout=500):
            preview.build()
            if preview.watched() != paths:  # another template: watch its folders instead
                break


def serve(preview: Preview, host: str, port: int, echo: Any = print) -> None:
    import socket

    import uvicorn

    if port == 0:  # the URL printed must be the real one
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family) as probe:
            probe.bind((host.strip("[]"), 0))
            port = probe.getsockname()[1]
    preview.build()
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(preview, stop), daemon=True, name="mapgen-watch")
    watcher.start()
    config = uvicorn.Config(app(preview), host=host, port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    shown = f"[{host}]" if ":" in host else host
    echo(f"mapgen preview: {preview.brief} at http://{shown}:{port}/ (Ctrl+C to stop)")
    try:
        server.run()
    finally:
        stop.set()
        watcher.join(timeout=5)
