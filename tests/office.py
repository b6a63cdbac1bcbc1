"""Real readers for the files mapgen writes: LibreOffice converts them, pdftoppm pictures them.

When LibreOffice is not installed the tests that need it are skipped, except under CI
(``CI`` set), where a missing converter is a failure: CI installs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest


def soffice() -> str:
    """The LibreOffice binary, or skip (fail under CI)."""
    from tests import slow

    slow.require("LibreOffice")
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("LibreOffice (soffice) is required under CI; .ci/run installs it")
    pytest.skip("LibreOffice (soffice) is not installed")


def convert_to_pdf(path: Path, outdir: Path | None = None, timeout: int = 180) -> Path:
    """Convert an Office file to PDF with LibreOffice and return the PDF; fail if it cannot."""
    return convert(path, "pdf", outdir, timeout)


def convert(path: Path, extension: str, outdir: Path | None = None, timeout: int = 180) -> Path:
    """Convert an Office file with LibreOffice (``xlsx`` to xlsx: saved again by LibreOffice, formulas
    recalculated) and return the new file; fail if it cannot. ``outdir`` must not hold ``path`` when
    the extension is the same."""
    binary = soffice()
    outdir = outdir or path.parent
    # A private profile per call: concurrent LibreOffice runs sharing one profile fail.
    profile = Path(tempfile.gettempdir()) / f"mapgen-lo-{uuid.uuid4().hex}"
    try:
        result = subprocess.run(
            [binary, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
             "--convert-to", extension, "--outdir", str(outdir), str(path)],
            capture_output=True, text=True, timeout=timeout)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    out = outdir / (path.stem + "." + extension)
    if result.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
        pytest.fail(f"LibreOffice could not convert {path.name}: {result.stdout}\n{result.stderr}")
    return out


def pdf_pages(pdf: Path) -> int:
    """How many pages a PDF has (counted by pdftoppm's rendering)."""
    with tempfile.TemporaryDirectory() as tmp:
        to_png(pdf, Path(tmp), dpi=10)
        return len(list(Path(tmp).glob("*.png")))


def to_png(pdf: Path, outdir: Path, dpi: int = 60, prefix: str = "page") -> list[Path]:
    """Render every page of a PDF to PNG with pdftoppm."""
    binary = shutil.which("pdftoppm")
    if not binary:
        if os.environ.get("CI"):
            pytest.fail("pdftoppm is required under CI; .ci/run installs poppler-utils")
        pytest.skip("pdftoppm is not installed")
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run([binary, "-png", "-r", str(dpi), str(pdf), str(outdir / prefix)], check=True,
                   capture_output=True, timeout=120)
    return sorted(outdir.glob(f"{prefix}*.png"))


def html_sheets(path: Path) -> dict[str, list[list[tuple[str, str | None, str | None]]]]:
    """A workbook recalculated by LibreOffice and exported as HTML: per sheet, its rows of cells as
    (text, background colour "#RRGGBB" or None, the cell's number as LibreOffice stored it or None).

    The export applies conditional formats and computes formulas, so it shows what a reader sees."""
    from html.parser import HTMLParser

    html = convert(path, "html", path.parent / "html").read_text(encoding="utf-8", errors="replace")

    class Parser(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.sheets: dict[str, list[list[tuple[str, str | None, str | None]]]] = {}
            self.heading: list[str] | None = None
            self.current: list[list[tuple[str, str | None, str | None]]] | None = None
            self.cell: list | None = None  # type: ignore[type-arg]

        def handle_starttag(self, tag: str, attrs: list) -> None:  # type: ignore[type-arg]
            attributes = dict(attrs)
            if tag == "h1":
                self.heading = []
            elif tag == "tr" and self.current is not None:
                self.current.append([])
            elif tag == "td" and self.current is not None:
                span = int(attributes.get("colspan") or 1)
                self.cell = ["", (attributes.get("bgcolor") or "").upper() or None, attributes.get("sdval"), span]

        def handle_endtag(self, tag: str) -> None:
            if tag == "h1" and self.heading is not None:
                title = "".join(self.heading)
                self.heading = None
                if title.startswith("Sheet "):
                    self.current = self.sheets.setdefault(title.split(": ", 1)[1], [])
            elif tag == "td" and self.cell is not None and self.current:
                text, colour, number, span = self.cell
                self.current[-1].extend([(text.strip(), colour, number)] * span)
                self.cell = None

        def handle_data(self, data: str) -> None:
            if self.heading is not None:
                self.heading.append(data)
            elif self.cell is not None:
                self.cell[0] += data

    parser = Parser()
    parser.feed(html)
    return parser.sheets
