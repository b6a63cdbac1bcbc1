"""Built-in plugin: the ``mapgen preview`` command (registered through ``register_commands``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Sequence

import click

from mapgen.hookspecs import hookimpl


@hookimpl
def register_commands(cli: click.Group) -> None:
    from mapgen.cli import DateParam, audience_option, template_path_option

    @cli.command(epilog="""\b
Examples:
  mapgen preview examples/globex-late.yaml                 # open http://127.0.0.1:8765/
  mapgen preview deal.yaml --port 9000 --template-path my-templates
""")
    @click.argument("brief", type=click.Path(exists=True, dir_okay=False))
    @click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
                  help="Port to listen on (0: any free port).")
    @click.option("--host", default="127.0.0.1", show_default=True,
                  help="Address to listen on; only this machine unless --allow-remote.")
    @click.option("--allow-remote", is_flag=True, help="Allow a --host other than 127.0.0.1/localhost/::1.")
    @click.option("--template", default=None, metavar="NAME_OR_PATH", help="Use this template instead of selecting one.")
    @click.option("--today", type=DateParam(), default=None, help="The plan's 'as of' date.")
    @audience_option
    @template_path_option
    def preview(brief: str, port: int, host: str, allow_remote: bool, template: str | None, today: dt.date | None,
                audience: str, template_path: Sequence[str]) -> None:
        """Serve the HTML plan on this machine and reload it whenever the brief or template changes.

        Errors in the brief or template show in the page, with file and line; the server keeps running."""
        from mapgen.builtin.html_page.preview import Preview, is_local, serve

        if not is_local(host) and not allow_remote:
            raise click.UsageError(f"--host {host} would serve the plan to other machines; "
                                   "add --allow-remote if that is what you want")
        try:
            import starlette  # noqa: F401
            import uvicorn  # noqa: F401
            import watchfiles  # noqa: F401
        except ImportError as exc:
            raise click.ClickException(f"mapgen preview needs {exc.name}: pip install 'mapgen[preview]'") from None
        serve(Preview(Path(brief), template, today, audience, tuple(Path(p) for p in template_path)),
              host, port, echo=click.echo)
