"""Regenerate the slip-report pictures in docs/images: python docs/render_changes_images.py

- ``diff-acme.png``: ``mapgen diff`` of the two Acme examples as a terminal shows it (its ANSI
  colours turned into HTML, photographed by headless Chromium);
- ``pptx-changes.png``: the deck's "What changed" slide of ``acme-week-three`` generated with
  ``--baseline`` the day-one plan (LibreOffice -> PDF -> pdftoppm).

Needs chromium (or chromium-browser / google-chrome), soffice and pdftoppm.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
OLD, NEW = ROOT / "examples" / "acme-enterprise.yaml", ROOT / "examples" / "acme-week-three.yaml"
COLOURS = {"31": "#f87171", "32": "#4ade80", "33": "#facc15", "35": "#e879f9", "36": "#67e8f9"}


def ansi_to_html(text: str) -> str:
    """The few SGR codes click.style writes (bold, dim, underline, colours, reset) as spans."""
    out, open_spans = [], 0
    for part in re.split(r"(\x1b\[[0-9;]*m)", text):
        match = re.fullmatch(r"\x1b\[([0-9;]*)m", part)
        if not match:
            out.append(html.escape(part))
            continue
        styles = []
        for code in match.group(1).split(";"):
            if code in ("0", ""):
                out.append("</span>" * open_spans)
                open_spans = 0
            elif code == "1":
                styles.append("font-weight:bold")
            elif code == "2":
                styles.append("opacity:.6")
            elif code == "4":
                styles.append("text-decoration:underline")
            elif code in COLOURS:
                styles.append(f"color:{COLOURS[code]}")
        if styles:
            out.append(f'<span style="{";".join(styles)}">')
            open_spans += 1
    return "".join(out) + "</span>" * open_spans


def trim(path: Path, background: tuple[int, int, int], pad: int = 16) -> None:
    image = Image.open(path).convert("RGB")
    mask = Image.eval(Image.new("RGB", image.size, background), lambda v: v)
    from PIL import ImageChops

    box = ImageChops.difference(image, mask).convert("L").point(lambda v: 255 if v > 8 else 0).getbbox()
    if box:
        left, top, right, bottom = box
        image = image.crop((max(0, left - pad), max(0, top - pad), min(image.width, right + pad),
                            min(image.height, bottom + pad)))
    image.save(path, optimize=True)


def terminal_picture(work: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from mapgen import slip
    from mapgen.changes import compare, load_side
    from mapgen.markup import plain

    old, new = load_side(OLD), load_side(NEW)
    body = slip.terminal(compare(old, new), width=110,
                         heading=f"{plain(new.title)}   {OLD.relative_to(ROOT)} → {NEW.relative_to(ROOT)}")
    page = work / "diff.html"
    page.write_text(
        "<!doctype html><meta charset='utf-8'><body style='margin:0;background:#1e1e2e'>"
        "<pre style='margin:0;padding:18px 22px;color:#e5e7eb;font:14px/1.35 \"DejaVu Sans Mono\",monospace'>"
        f"<span style='opacity:.7'>$ mapgen diff {OLD.relative_to(ROOT)} {NEW.relative_to(ROOT)}</span>\n"
        f"{ansi_to_html(body)}</pre>", encoding="utf-8")
    browser = next(b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b))
    target = IMAGES / "diff-acme.png"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--screenshot={target}", "--window-size=1400,900", page.as_uri()],
                   check=True, capture_output=True, timeout=120)
    trim(target, (0x1e, 0x1e, 0x2e))


def slide_picture(work: Path) -> None:
    out = work / "out"
    subprocess.run([sys.executable, "-m", "mapgen", "generate", str(OLD), "-f", "json", "-o", str(out), "-q"],
                   check=True, cwd=ROOT)
    subprocess.run([sys.executable, "-m", "mapgen", "generate", str(NEW), "-f", "pptx", "-o", str(out), "-q",
                    "--baseline", str(out / "acme-enterprise.json")],
                   check=True, cwd=ROOT)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(work), str(out / "acme-week-three.pptx")],
                   check=True, capture_output=True, timeout=300)
    subprocess.run(["pdftoppm", "-png", "-r", "96", "-f", "3", "-l", "3", "-singlefile", str(work / "acme-week-three.pdf"),
                    str(work / "slide")], check=True)
    shutil.copy(work / "slide.png", IMAGES / "pptx-changes.png")


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        terminal_picture(Path(tmp))
        slide_picture(Path(tmp))
    print(IMAGES / "diff-acme.png")
    print(IMAGES / "pptx-changes.png")


if __name__ == "__main__":
    main()
