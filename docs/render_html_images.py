"""Screenshots of the HTML plan in headless Chromium: phone, desktop and print (docs/images/html-*.png).

Run from the repository root: python docs/render_html_images.py  (needs chromium and pdftoppm)
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from tests.browser import Browser  # noqa: E402

IMAGES = ROOT / "docs" / "images"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        subprocess.run([sys.executable, "-m", "mapgen", "generate", str(ROOT / "examples" / "globex-late.yaml"),
                        "-f", "html", "-o", str(out), "-q"], check=True)
        page = (out / "globex-late.html").as_uri()
        browser = Browser()
        try:
            browser.load(page, width=375, height=1400, mobile=True)
            phone = Image.open(io.BytesIO(browser.screenshot()))
            phone.crop((0, 0, 375, min(phone.height, 2600))).save(IMAGES / "html-phone.png", optimize=True)
            browser.load(page, width=1280, height=900)
            desktop = Image.open(io.BytesIO(browser.screenshot()))
            desktop.crop((0, 0, 1280, min(desktop.height, 1700))).save(IMAGES / "html-desktop.png", optimize=True)
            pdf = out / "plan.pdf"
            pdf.write_bytes(browser.pdf())
        finally:
            browser.close()
        subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf), str(out / "print")], check=True)
        pages = [Image.open(p) for p in sorted(out.glob("print-*.png"))]
        sheet = Image.new("RGB", (sum(p.width for p in pages) + 16 * (len(pages) + 1), pages[0].height + 32), "#94A3B8")
        x = 16
        for p in pages:
            sheet.paste(p, (x, 16))
            x += p.width + 16
        sheet.save(IMAGES / "html-print.png", optimize=True)


if __name__ == "__main__":
    main()
