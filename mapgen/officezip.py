"""Byte-identical Office files: zip entries and document properties that depend on the plan, never the clock.

The docx, pptx and xlsx formats (and any plugin writing an OOXML package) pass their bytes through
:func:`normalize_office_zip`; the core itself knows no output format and never calls it.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

# The earliest date a zip entry can hold; every entry gets it so output never depends on the clock.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_CORE_DATE = re.compile(rb"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")
_NESTED_OFFICE = (".xlsx", ".docx", ".pptx", ".xlsm")


def set_core_properties(core, plan) -> None:  # type: ignore[no-untyped-def]
    """Title, subject and author from the plan, dates from its ``today`` (python-pptx and python-docx alike).

    Set here, unescaped and cleaned, rather than through a template engine that would escape them twice.
    """
    from mapgen.markup import clean, plain

    stamp = dt.datetime.combine(plan.today, dt.time(0, 0))
    core.title = clean(plain(plan.title))[:255]
    core.subject = clean(f"Mutual action plan: {plain(plan.deal.name)}")[:255]
    core.author = clean(plain(plan.seller.company))[:255]
    core.last_modified_by = "mapgen"
    core.keywords = "mutual action plan"
    core.comments = ""
    core.revision = 1
    core.created = core.modified = core.last_printed = stamp


def normalize_office_zip(data: bytes, today: dt.date) -> bytes:
    """Make an OOXML package byte-identical for identical content.

    Fixes every entry's timestamp and attributes, keeps the member order (with
    ``[Content_Types].xml`` first), sets ``docProps/core.xml`` created/modified to
    ``today``, and does the same for Office packages embedded inside (chart workbooks).
    """
    stamp = f"{today.isoformat()}T00:00:00Z".encode()
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    names.sort(key=lambda n: n != "[Content_Types].xml")  # stable: only moves that one first
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            content = source.read(name)
            if name == "docProps/core.xml":
                content = _CORE_DATE.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            elif name.lower().endswith(_NESTED_OFFICE):
                content = normalize_office_zip(content, today)
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0o600 << 16
            # Level 1: the files are small, and recompressing is the cost of byte-identical output.
            target.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    return buffer.getvalue()
