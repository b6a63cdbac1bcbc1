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
