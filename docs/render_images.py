"""Regenerate the pictures in docs/images from the example briefs: python docs/render_images.py [pptx docx xlsx md]

Each example is written by mapgen, converted to PDF by LibreOffice and to PNG by pdftoppm:
the pictures show what a user's LibreOffice shows. Needs soffice and pdftoppm.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
EXAMPLES = ("acme-enterprise", "bloom-smb", "globex-late", "acme-week-three")
#: Full-size pages worth showing on their own: every page of the day-one example; the key dates, the
#: timeline, the document's first page and the tracker's first sheets of the late plan and of the plan
#: three weeks in.
PAGES: dict[str, dict[str, object]] = {
    "acme-enterprise": {"pptx": "all", "docx": "all", "xlsx": "all"},
    "globex-late": {"pptx": [2, 3], "docx": [1], "xlsx": [1, 2]},
    "acme-week-three": {"pptx": [2, 3], "docx": [1], "xlsx": [1, 2]},
}


def pages(pdf: Path, work: Path, dpi: int) -> list[Path]:
    prefix = work / f"{pdf.parent.name}-{pdf.stem}-{dpi}"  # the format's folder too: a deck and a document share a stem
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(prefix)], check=True)
    return sorted(work.glob(f"{prefix.name}-*.png"))


def sheet_pages(pdf: Path, rendered: list[Path], markers: tuple[str, ...]) -> list[Path]:
    """The first rendered page whose text holds each marker (a sheet's heading), in the markers' order."""
    found = []
    for marker in markers:
        for number, page in enumerate(rendered, 1):
            words = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"],
                                   check=True, capture_output=True, text=True).stdout
            if marker in words:
                found.append(page)
                break
    return found


def trim(path: Path, pad: int = 12) -> Path:
    """Crop a spreadsheet page to what is printed on it (a sheet rarely fills its paper)."""
    image = Image.open(path).convert("RGB")
    box = image.convert("L").point(lambda v: 255 if v < 245 else 0).getbbox()
    if box:
        left, top, right, bottom = box
        image = image.crop((max(0, left - pad), max(0, top - pad), min(image.width, right + pad),
                            min(image.height, bottom + pad)))
        image.save(path)
    return path


def contact_sheet(images: list[Path], target: Path, columns: int = 3) -> None:
    opened = [Image.open(p).convert("RGB") for p in images]
    width, height = opened[0].size
    gap = 8
    rows = (len(opened) + columns - 1) // columns
    sheet = Image.new("RGB", (columns * width + (columns + 1) * gap, rows * height + (rows + 1) * gap), "#d1d5db")
    for i, image in enumerate(opened):
        sheet.paste(image, (gap + (i % columns) * (width + gap), gap + (i // columns) * (height + gap)))
    sheet.save(target, optimize=True)


MD_CSS = """body{font:14px/1.5 'Liberation Sans',Arial,sans-serif;max-width:980px;margin:24px auto;color:#1f2328}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #d0d7de;padding:4px 8px;vertical-align:top}
th{background:#f6f8fa}blockquote{border-left:4px solid #d0d7de;margin:0;padding:0 12px;color:#57606a}
h1{border-bottom:1px solid #d8dee4}h2{border-bottom:1px solid #d8dee4;font-size:1.3em}"""


def markdown_pictures(work: Path) -> None:
    """The Markdown plans as GitHub shows them: markdown-it (GFM tables) to HTML, headless Chromium to PNG."""
    from markdown_it import MarkdownIt

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("no chromium: Markdown pictures skipped")
        return
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    for name in ("globex-late", "acme-week-three"):
        body = md.render((ROOT / "docs" / "examples" / f"{name}.md").read_text(encoding="utf-8"))
        page = work / f"{name}.html"
        page.write_text(f"<!doctype html><meta charset=utf-8><style>{MD_CSS}</style>{body}", encoding="utf-8")
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={work / 'chromium'}", "--hide-scrollbars", "--window-size=1040,1500",
                        f"--screenshot={IMAGES / f'md-{name}.png'}", page.as_uri()],
                       check=True, capture_output=True, timeout=120)


def main(formats: list[str]) -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        briefs = [str(ROOT / "examples" / f"{name}.yaml") for name in EXAMPLES]
        # Each example brief carries its own "today" (acme-week-three is the same deal three weeks later).
        subprocess.run([sys.executable, "-m", "mapgen", "generate", *briefs, "-f", ",".join(formats), "-o", str(work)],
                       check=True, cwd=ROOT)
        if "md" in formats:
            markdown_pictures(work)
            formats = [f for f in formats if f != "md"]
        for fmt in formats:
            for name in EXAMPLES:
                subprocess.run([shutil.which("soffice") or "soffice", f"-env:UserInstallation=file://{work}/profile",
                                "--headless", "--convert-to", "pdf", "--outdir", str(work / fmt),
                                str(work / f"{name}.{fmt}")], check=True, capture_output=True)
                pdf = work / fmt / f"{name}.pdf"
                small = pages(pdf, work, 40)
                if fmt == "xlsx":  # the Plan and Timeline sheets (after the Summary), cropped to what is printed
                    small = [trim(p) for p in sheet_pages(pdf, pages(pdf, work, 90), ("Waits for", "Week of"))]
                contact_sheet(small, IMAGES / f"{fmt}-{name}.png", columns={"pptx": 3, "docx": 2, "xlsx": 1}[fmt])
                wanted = PAGES.get(name, {}).get(fmt)
                if wanted is not None:
                    for number, page in enumerate(pages(pdf, work, 80), 1):
                        if wanted == "all" or number in wanted:
                            shutil.copy(trim(page) if fmt == "xlsx" else page, IMAGES / f"{fmt}-{name}-{number}.png")
    print("wrote", ", ".join(sorted(p.name for p in IMAGES.glob("*.png"))))


if __name__ == "__main__":
    main(sys.argv[1:] or ["pptx", "docx", "xlsx", "md"])
