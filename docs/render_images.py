"""Regenerate the pictures in docs/images from the example briefs: python docs/render_images.py [pptx docx xlsx]

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


def main(formats: list[str]) -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        briefs = [str(ROOT / "examples" / f"{name}.yaml") for name in EXAMPLES]
        # Each example brief carries its own "today" (acme-week-three is the same deal three weeks later).
        subprocess.run([sys.executable, "-m", "mapgen", "generate", *briefs, "-f", ",".join(formats), "-o", str(work)],
                       check=True, cwd=ROOT)
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
                if name == "acme-enterprise":
                    for number, page in enumerate(pages(pdf, work, 80), 1):
                        shutil.copy(trim(page) if fmt == "xlsx" else page, IMAGES / f"{fmt}-{name}-{number}.png")
    print("wrote", ", ".join(sorted(p.name for p in IMAGES.glob("*.png"))))


if __name__ == "__main__":
    main(sys.argv[1:] or ["pptx", "docx", "xlsx"])
