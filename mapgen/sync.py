"""``mapgen sync TRACKER.xlsx BRIEF.yaml``: the buyer's edits in the Excel tracker, read back into the brief.

The Plan sheet's hidden "Step id" column says which step each row is. For each row, sync reads
Status (in words), Started, Done on and Notes, and compares each with what mapgen writes there
for the brief as it is now: only a cell that differs is a change. Changes go to
``milestones.<id>`` (template steps) or to the step's entry under ``add:`` (the deal's own steps),
through a ruamel.yaml round trip that keeps the brief's comments, key order, quoting and layout;
only the lines of the changed steps change. The new brief is planned before it is written (a
change that makes the brief invalid is an error), and written atomically with its mode kept.

Every bad edit is an error located at its cell, ``TRACKER.xlsx:Plan!H7: error: ...``, all at
once, and the brief is left untouched. docs/workbook.md lists what is accepted.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mapgen.errors import MapgenError, Problem
from mapgen.markup import clean, plain

#: Custom document properties that say which deal a tracker belongs to (written by the xlsx format).
DEAL_PROPERTY = "mapgen deal"
BUYER_PROPERTY = "mapgen buyer"
BRIEF_PROPERTY = "mapgen brief"  # the file name of the brief it was made from (a warning when it differs)
SHEET = "Plan"
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1 Jan 1900 (Excel's 1900 leap-year bug is before March 1900)
MONTHS = {name: i for i, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
     ("nov", "november"), ("dec", "december")), 1) for name in names}
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*,?\s+)?"
_DAY_MONTH_YEAR = re.compile(_WEEKDAY + r"(\d{1,2})\s+([a-z]+)\.?,?\s+(\d{4})$")
_MONTH_DAY_YEAR = re.compile(_WEEKDAY + r"([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$")
_SLASHED = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00(?:\.0+)?)?)?$")


class CellError(Exception):
    """A cell's value cannot be read."""


def read_date(value: Any) -> dt.date | None:
    """A date cell as a date: a real date, a serial number, or an unambiguous text date.

    Text: ISO ``2026-11-23``; ``23 Nov 2026``, ``Mon 23 Nov 2026`` (what the tracker shows),
    ``November 23, 2026``; ``11/23/2026`` or ``23/11/2026`` when only one reading is a date (or both
    readings are the same day). ``03/04/2026`` is ambiguous and an error, as is a two-digit year.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0, 0):
            raise CellError(f"'{value}' is a date and time: enter the date only")
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise CellError(f"'{value}' is not a date")
    if isinstance(value, (int, float)):
        if value != int(value) or not 1 <= value <= 2958465:
            raise CellError(f"{value} is not a date (a spreadsheet date is a whole number of days)")
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    if not isinstance(value, str):
        raise CellError(f"'{value}' is not a date")
    words = " ".join(value.strip().lower().split())
    try:
        if m := _ISO.match(words):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DAY_MONTH_YEAR.match(words):
            if m[2] in MONTHS:
                return dt.date(int(m[3]), MONTHS[m[2]], int(m[1]))
        if m := _MONTH_DAY_YEAR.match(words):
            if m[1] in MONTHS:
                return dt.date(int(m[3]), MONTHS[m[1]], int(m[2]))
        if m := _SLASHED.match(words):
            first, second, year = int(m[1]), int(m[2]), int(m[3])
            readings = set()
            for month, day in ((first, second), (second, first)):
                try:
                    readings.add(dt.date(year, month, day))
                except ValueError:
                    pass
            if len(readings) == 1:
                return readings.pop()
            if len(readings) > 1:
                raise CellError(f"'{value.strip()}' is ambiguous (month/day or day/month?): "
                                "use a date cell or YYYY-MM-DD")
    except ValueError:
        pass
    raise CellError(f"'{value.strip()}' is not a date: use a date cell, YYYY-MM-DD or e.g. 23 Nov 2026")


def read_status(value: Any) -> str:
    """A Status cell's word (or the brief's code) as the brief's status."""
    from mapgen.plan import STATUS_LABELS, STATUSES

    words = " ".join(str(value or "").strip().lower().replace("_", " ").split())
    for code in STATUSES:
        if words in (STATUS_LABELS[code].lower(), code.replace("_", " ")):
            return code
    choices = ", ".join(STATUS_LABELS[s] for s in STATUSES[:-1]) + f" or {STATUS_LABELS[STATUSES[-1]]}"
    shown = str(value).strip() if value is not None else ""
    raise CellError(f"'{shown}' is not a status: use {choices}" if shown else f"no status: use {choices}")


@dataclass
class Change:
    """One field of one step, changed: printed as ``BRIEF: milestones.ID.FIELD: OLD -> NEW``."""

    path: str
    old: Any
    new: Any

    def __str__(self) -> str:
        def show(v: Any) -> str:
            return "(none)" if v is None else (f'"{v}"' if isinstance(v, str) and " " in v else str(v))
        return f"{self.path}: {show(self.old)} -> {show(self.new)}"


@dataclass
class SyncResult:
    changes: list[Change] = field(default_factory=list)
    old_text: str = ""
    new_text: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Row:
    number: int
    status: str
    started: dt.date | None
    done: dt.date | None
    note: str


def _yaml(indent: tuple[int, int, int]):  # type: ignore[no-untyped-def]
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long line the brief wrote on one
    yaml.brace_single_entry_mapping_in_flow_sequence = True  # [a, {access: b}] stays so, not [a, access: b]
    yaml.indent(mapping=indent[0], sequence=indent[1], offset=indent[2])
    return yaml


def _dump(yaml, data: Any) -> str:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _round_trip(text: str):  # type: ignore[no-untyped-def]
    """The round-trip YAML settings that give ``text`` back unchanged (or the closest), and the data."""
    best = None
    for indent in ((2, 4, 2), (2, 2, 0), (4, 4, 0), (4, 6, 2), (2, 3, 1), (4, 4, 2), (3, 3, 0)):
        yaml = _yaml(indent)
        data = yaml.load(text)
        lines = _dump(yaml, data).splitlines()
        differ = sum(a != b for a, b in zip(lines, text.splitlines())) + abs(len(lines) - len(text.splitlines()))
        if best is None or differ < best[0]:
            best = (differ, indent)
        if differ == 0:
            break
    yaml = _yaml(best[1])  # type: ignore[index]
    return yaml, yaml.load(text)


# -- what the workbook writes in the columns sync reads (the xlsx format imports these) --------

def started_shown(m: Any) -> dt.date | None:
    """The Started column: the day an in-progress or done step began."""
    return m.actual_start if m.status in ("in_progress", "done") else None


def cell_text(value: Any) -> str:
    """What a cell shows for a text field: Markdown removed, characters XML cannot hold dropped."""
    return clean(plain(str(value))) if value else ""


def _where(tracker: str, column: int, row: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{tracker}:{SHEET}!{get_column_letter(column)}{row}"


def _expected(plan: Any) -> dict[str, dict[str, Any]]:
    """What the tracker shows for each step of ``plan`` in the columns sync reads."""
    return {m.id: {"status": m.status, "started": started_shown(m), "done": m.actual_done, "note": cell_text(m.note)}
            for m in plan.milestones}


def read_tracker(path: Path, display: str, plan: Any) -> tuple[dict[str, _Row], list[Problem], list[str]]:
    """The Plan sheet's rows by step id, the problems found, and warnings."""
    import zipfile

    from openpyxl import load_workbook

    try:
        with __import__("warnings").catch_warnings():
            __import__("warnings").simplefilter("ignore")
            with open(path, "rb") as handle:  # a file object: the content decides, not the name's extension
                wb = load_workbook(io.BytesIO(handle.read()), data_only=True)
    except FileNotFoundError:
        raise MapgenError("no such file", display) from None
    except OSError as exc:
        raise MapgenError(f"cannot read: {exc.strerror or exc}", display) from None
    except Exception as exc:  # noqa: BLE001 - whatever openpyxl raises on a file that is not a workbook
        reason = "not a zip file" if isinstance(exc, zipfile.BadZipFile) else f"{type(exc).__name__}: {exc}"
        raise MapgenError(f"not an Excel workbook (.xlsx): {reason}", display) from None
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    deal, buyer = props.get(DEAL_PROPERTY), props.get(BUYER_PROPERTY)
    if deal is None:
        raise MapgenError("not a tracker mapgen wrote (it has no deal stamp): generate it with `mapgen generate -f xlsx`",
                          display)
    if (deal, buyer) != (cell_text(plan.deal.name), cell_text(plan.buyer.company)):
        raise MapgenError(f"this tracker is for the deal '{deal}' ({buyer}), not '{cell_text(plan.deal.name)}' "
                          f"({cell_text(plan.buyer.company)}): wrong brief or wrong file?", display)
    warnings = []
    made_from = props.get(BRIEF_PROPERTY)
    brief_name = (plan.source or "").replace("\\", "/").rsplit("/", 1)[-1]
    if made_from and brief_name and made_from != brief_name:
        warnings.append(f"made from the brief '{made_from}', read into '{brief_name}' (the same deal: renamed?)")
    if SHEET not in wb.sheetnames:
        raise MapgenError(f"no '{SHEET}' sheet", display)
    ws = wb[SHEET]
    header = {str(c.value).strip(): c.column for c in ws[1] if c.value is not None}
    columns = {}
    problems: list[Problem] = []
    for name in ("Step id", "Status", "Started", "Done on", "Notes"):
        if name not in header and name != "Started":  # a tracker older than the Started column has none
            problems.append(Problem(f"the heading '{name}' is missing from row 1", f"{display}:{SHEET}!1"))
        columns[name] = header.get(name)
    if problems:
        raise MapgenError(problems)
    known = {m.id for m in plan.milestones}
    expected = _expected(plan)
    step_id: Any = None
    rows: dict[str, _Row] = {}
    for row in ws.iter_rows(min_row=2):
        if not any(c.value not in (None, "") for c in row):
            continue
        number = row[0].row

        def value(name: str) -> Any:
            col = columns[name]
            if col is None:  # no Started column: what mapgen shows, so no change
                return expected[step_id]["started"] if step_id in expected else None
            return row[col - 1].value if col - 1 < len(row) else None
        step_id = value("Step id")
        id_at = _where(display, columns["Step id"], number)
        if step_id in (None, ""):
            problems.append(Problem("this row has no step id (the hidden Step id column was cleared, or the row "
                                    "was added by hand): mapgen cannot tell which step it is", id_at))
            continue
        step_id = str(step_id).strip()
        if step_id in rows:
            problems.append(Problem(f"step id '{step_id}' is also on row {rows[step_id].number}: each step has "
                                    "one row", id_at))
            continue
        if step_id not in known:
            problems.append(Problem(f"no step '{step_id}' in this brief's plan (the Step id was edited, or the "
                                    "step was removed from the brief)", id_at))
            continue
        got: dict[str, Any] = {}
        for name, reader in (("Status", read_status), ("Started", read_date), ("Done on", read_date)):
            try:
                got[name] = reader(value(name))
            except CellError as exc:
                problems.append(Problem(str(exc), _where(display, columns[name], number)))
        note = value("Notes")
        if isinstance(note, (dt.date, dt.datetime)):
            note = note.isoformat()[:10]
        note = "" if note is None else str(note)
        if len(got) < 3:
            rows[step_id] = _Row(number, "", None, None, note)  # a placeholder: its id is taken
            continue
        status, started, done = got["Status"], got["Started"], got["Done on"]
        done_at = _where(display, columns["Done on"], number)
        started_at = _where(display, columns["Started"] or columns["Done on"], number)
        if done is not None and done > plan.today:
            problems.append(Problem(f"done on {done.isoformat()}, after today ({plan.today.isoformat()})", done_at))
        if started is not None and started > plan.today:
            problems.append(Problem(f"started on {started.isoformat()}, after today ({plan.today.isoformat()})",
                                    started_at))
        if status == "done" and done is None:
            problems.append(Problem("the step is Done but has no Done on date: enter the day it was done", done_at))
        if status != "done" and done is not None:
            problems.append(Problem("a Done on date but the status is not Done: set Status to Done or clear "
                                    "the date", done_at))
        rows[step_id] = _Row(number, status, started, done, note)
    return rows, problems, warnings


def sync(tracker: Path, brief: Path, *, today: dt.date | None = None, tracker_display: str | None = None,
         brief_display: str | None = None, template: str | None = None, catalog: Any = None) -> SyncResult:
    """Work out the brief's new text from the tracker. Raises MapgenError (nothing written) on any problem."""
    import os
    import tempfile

    from mapgen.pipeline import build_plan

    tracker_display = tracker_display or str(tracker)
    brief_display = brief_display or str(brief)
    plan = build_plan(brief, today=today, template=template, catalog=catalog, display=brief_display)
    rows, problems, warnings = read_tracker(tracker, tracker_display, plan)
    if problems:
        raise MapgenError(problems)
    old_text = brief.read_text(encoding="utf-8")
    yaml, data = _round_trip(old_text)
    added = {str(entry.get("id")): entry for entry in (data.get("add") or []) if hasattr(entry, "get")}
    expected = _expected(plan)
    result = SyncResult(old_text=old_text, warnings=warnings)
    order = {m.id: i for i, m in enumerate(plan.milestones)}
    for step_id in sorted(rows, key=lambda s: order[s]):
        row, shown = rows[step_id], expected[step_id]
        wanted: dict[str, Any] = {}
        if row.status != shown["status"]:
            wanted["status"] = row.status
        if row.started != shown["started"] and row.started != _as_date(_own(data, added, step_id, "started")):
            # an empty Started beside a start mapgen worked out (done minus its duration) is no change
            if row.started is not None or _own(data, added, step_id, "started") is not None:
                wanted["started"] = row.started
        if row.done != shown["done"]:
            wanted["done"] = row.done
        own_note = _own(data, added, step_id, "note")
        if row.note.strip() not in (shown["note"].strip(), str(own_note).strip() if own_note is not None else ""):
            wanted["note"] = row.note.strip() or None
        if not wanted:
            continue
        if step_id in added:
            entry, path = added[step_id], f"add.{step_id}"
        else:
            entry, path = _milestone_entry(data, step_id), f"milestones.{step_id}"
        for key in ("status", "started", "done", "note"):
            if key not in wanted:
                continue
            new = wanted[key]
            old = entry.get(key)
            if key == "status" and new == "not_started" and "status" in entry:
                new_value = new
            elif key == "status" and new == "not_started":
                new_value = None  # the default: nothing to write
            else:
                new_value = new
            _set(entry, key, new_value)
            result.changes.append(Change(f"{path}.{key}", _plain(old) if old is not None else
                                         _plain(shown[key]) if key != "note" else (shown[key] or None),
                                         _plain(new)))
    _drop_empty_milestones(data, {c.path.split(".")[1] for c in result.changes if c.path.startswith("milestones.")})
    result.new_text = _dump(yaml, data) if result.changes else old_text
    if result.changes:  # the new brief must plan: a change that breaks it is an error, nothing written
        # in the system's temporary folder: never a stray brief beside the others if the run is killed
        fd, name = tempfile.mkstemp(suffix=".yaml", prefix="mapgen-sync-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(result.new_text)
            build_plan(Path(name), today=today, template=template, catalog=catalog, display=brief_display)
        except MapgenError as exc:
            raise MapgenError([Problem(f"the tracker's changes would make the brief invalid (line of the changed "
                                       f"brief): {p.message}", p.file, p.line) for p in exc.problems]) from None
        finally:
            os.unlink(name)
    return result


def _own(data: Any, added: dict[str, Any], step_id: str, key: str) -> Any:
    """What the brief itself says of ``key`` for a step (None when it says nothing)."""
    entry = added.get(step_id)
    if entry is None:
        entry = (data.get("milestones") or {}).get(step_id)
    return entry.get(key) if hasattr(entry, "get") else None


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _milestone_entry(data: Any, step_id: str) -> Any:
    """``milestones.<step_id>`` of the round-trip data, made (in the style of its siblings) if missing."""
    from ruamel.yaml.comments import CommentedMap

    milestones = data.get("milestones")
    if milestones is None and "milestones" in data:  # `milestones:` with nothing under it
        milestones = data["milestones"] = CommentedMap()
    elif milestones is None:
        milestones = CommentedMap()
        keys = list(data.keys())
        position = next((keys.index(k) for k in ("add", "risks", "check_in", "placement") if k in keys), len(keys))
        data.insert(position, "milestones", milestones)
    entry = milestones.get(step_id)
    if entry is None:
        entry = CommentedMap()
        flow = any(getattr(v, "fa", None) is not None and v.fa.flow_style() for v in milestones.values())
        if flow or not milestones:
            entry.fa.set_flow_style()
        milestones[step_id] = entry
    return entry


#: Where a key goes in a step's entry: after the keys that come before it in this order.
KEY_ORDER = ("duration", "status", "started", "done", "due", "start", "owner", "note")


def _set(entry: Any, key: str, value: Any) -> None:
    if value is None:
        entry.pop(key, None)
        return
    if key in entry:
        entry[key] = value
        return
    keys = list(entry.keys())
    before = KEY_ORDER[:KEY_ORDER.index(key)]
    position = 0
    for i, k in enumerate(keys):
        if k in before or k in ("id", "name", "workstream"):
            position = i + 1
    entry.insert(position, key, value)


def _drop_empty_milestones(data: Any, touched: set[str]) -> None:
    """A milestones entry that sync emptied (the step is back to its defaults) is removed."""
    milestones = data.get("milestones")
    if not milestones:
        return
    for step_id in [k for k, v in milestones.items() if k in touched and hasattr(v, "keys") and not v]:
        del milestones[step_id]
