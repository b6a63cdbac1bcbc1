"""The page's stylesheet, its optional script and the drawn timeline (inline SVG)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from markupsafe import escape

from mapgen.markup import plain
from mapgen.wording import MONTHS

if TYPE_CHECKING:
    from mapgen.plan import Plan

_CSS = """
:root{--accent:%(accent)s;--accent-text:%(accent_text)s;--on-accent:%(on_accent)s;--ink:#1E293B;--muted:#475569;
--line:#CBD5E1;--late:#B91C1C;--risk:#B45309;--blocked:#6D28D9;--done:#4B5563}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%%}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);background:#fff}
main{max-width:1100px;margin:0 auto;padding:0 16px 32px}
header.top{border-top:6px solid var(--accent);padding:16px 0 8px;display:flex;gap:16px;align-items:center;flex-wrap:wrap}
header.top img{max-height:48px;max-width:160px}
h1{font-size:1.6rem;margin:0;overflow-wrap:anywhere}
h2{font-size:1.2rem;margin:28px 0 8px;padding-bottom:4px;border-bottom:2px solid var(--accent)}
h3{font-size:1rem;margin:16px 0 4px}
p,li,figcaption{overflow-wrap:anywhere}
td,th{overflow-wrap:break-word}
.tablebox{overflow-x:auto;max-width:100%%}
.asof{color:var(--muted);margin:4px 0 0}
.outcome{font-size:1.1rem;border-left:4px solid var(--accent);padding:8px 12px;background:#F1F5F9;margin:16px 0}
a{color:var(--accent-text)}
table{border-collapse:collapse;width:100%%;margin:8px 0}
th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid var(--line)}
thead th{background:var(--accent);color:var(--on-accent);font-weight:600}
tbody th[scope=rowgroup]{background:#E2E8F0;font-weight:600}
.num{white-space:nowrap}
.late,.cannot{color:var(--late);font-weight:600}
.at_risk{color:var(--risk);font-weight:600}
.blocked{color:var(--blocked);font-weight:600}
.done{color:var(--done)}
.keydates td.cannot{background:#FEF2F2}
.why{margin:4px 0}
.why.cannot{background:#FEF2F2;border-left:4px solid var(--late);padding:6px 10px;font-weight:400;color:var(--ink)}
figure{margin:8px 0}
.scroll{overflow-x:auto;max-width:100%%;border:1px solid var(--line)}
.scroll svg{display:block;min-width:680px;width:100%%;height:auto}
figcaption{font-size:.9rem;color:var(--muted);margin-top:4px}
.legend{list-style:none;padding:0;margin:6px 0;display:flex;flex-wrap:wrap;gap:4px 14px;font-size:.85rem}
.legend span{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px;border-radius:2px}
.sw-track{background:var(--accent)}.sw-done{background:#9CA3AF}.sw-late{background:var(--late)}
.sw-risk{background:#D97706}.sw-blocked{background:var(--blocked)}
.sw-target{background:var(--ink);width:3px!important}.sw-forecast{background:var(--late);width:3px!important}
.people{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:0 24px}
.people ul,.next ul{padding-left:20px;margin:4px 0}
.commits li{margin:2px 0}
.controls{display:flex;gap:16px;flex-wrap:wrap;align-items:center;margin:8px 0;font-size:.95rem}
.controls select{font:inherit;max-width:60vw}
.signoff td{height:2.4em}
.risks td:first-child{width:50%%}
.risks td:nth-child(2){min-width:7em}
small,.note{color:var(--muted)}
code{font-size:.9em;background:#F1F5F9;padding:0 3px}
[hidden]{display:none!important}
@media (min-width:701px){td.date{white-space:nowrap}}
@media (max-width:700px){
 body{font-size:15px}
 table.stack thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
 table.stack,table.stack tbody,table.stack tr,table.stack td,table.stack th{display:block;width:100%%}
 table.stack tr{border-bottom:1px solid var(--line);padding:6px 0}
 table.stack td,table.stack tbody th[scope=row]{border:0;padding:2px 8px 2px 8.5em;position:relative;min-height:1.6em}
 table.stack td::before,table.stack tbody th[scope=row]::before{content:attr(data-label);position:absolute;left:8px;width:7.5em;font-weight:600;color:var(--muted);overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
 table.stack td:empty{display:none}
}
@media print{
 @page{size:A4;margin:8mm 9mm}
 body{font-size:7.5pt;line-height:1.25}
 figcaption,.legend{font-size:6.5pt;margin:1px 0}
 #plan{table-layout:fixed}
 #plan thead th:nth-child(1){width:4%%}#plan thead th:nth-child(2){width:29%%}
 #plan thead th:nth-child(3),#plan thead th:nth-child(4){width:12%%}
 #plan thead th:nth-child(5),#plan thead th:nth-child(6){width:12.5%%}
 #plan thead th:nth-child(7){width:6%%}#plan thead th:nth-child(8){width:12%%}
 p.late{display:none}
 .commits{display:none}
 #plan th[scope=row] small{display:inline}
 #plan th[scope=row] br{display:none}
 .legend{display:none}
 .risks td:nth-child(2){width:14%%}
 .gates>ul{columns:2;column-gap:16px;margin:2px 0}
 .people ul,.next ul{margin:2px 0}
 h3{margin:4px 0 2px;font-size:8pt}
 p{margin:3px 0}
 main{max-width:none;padding:0}
 h1{font-size:14pt}h2{font-size:10pt;margin:6px 0 2px}
 .signoff,.gates li{break-inside:avoid}
 .outcome{margin:6px 0;padding:3px 8px;font-size:9pt}
 th,td{padding:1px 4px}
 .scroll svg{max-height:62mm}
 .why,.late{margin:3px 0}
 .note{margin:2px 0}
 .scroll{border:0;overflow:visible}.scroll svg{min-width:0}
 .controls,.noprint{display:none!important}
 tr,figure,.why{break-inside:avoid}
 a{color:inherit;text-decoration:none}
 thead th{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""

#: Progressive enhancement: filter the plan table by owner and hide done steps. Nothing needs it.
SCRIPT = """(function(){var t=document.getElementById('plan');if(!t)return;
var rows=[].slice.call(t.querySelectorAll('tbody tr[data-owners]'));var names=[];
rows.forEach(function(r){JSON.parse(r.dataset.owners).forEach(function(n){if(n&&names.indexOf(n)<0)names.push(n)})});
names.sort();var box=document.createElement('div');box.className='controls';
var l=document.createElement('label');l.textContent='Owner ';var s=document.createElement('select');
var o=document.createElement('option');o.value='';o.textContent='Everyone';s.appendChild(o);
names.forEach(function(n){var e=document.createElement('option');e.value=n;e.textContent=n;s.appendChild(e)});
l.appendChild(s);var h=document.createElement('label');var c=document.createElement('input');c.type='checkbox';
h.appendChild(c);h.appendChild(document.createTextNode(' Hide done steps'));box.appendChild(l);box.appendChild(h);
t.parentNode.insertBefore(box,t);function f(){rows.forEach(function(r){var own=JSON.parse(r.dataset.owners);
r.hidden=(s.value&&own.indexOf(s.value)<0)||(c.checked&&r.dataset.done==='1')});
[].slice.call(t.tBodies).forEach(function(b){b.hidden=!b.querySelector('tr[data-owners]:not([hidden])')})}
s.addEventListener('change',f);c.addEventListener('change',f)})();"""


def stylesheet(colours: dict[str, str]) -> str:
    return _CSS % colours


def _fill(state: str, critical: bool, accent: str) -> tuple[str, str]:
    """Bar colour and opacity for a state."""
    if state == "done":
        return "#9CA3AF", "1"
    if state == "late":
        return "#B91C1C", "1"
    if state == "at_risk":
        return "#D97706", "1"
    if state == "blocked":
        return "#6D28D9", "1"
    return accent, "1" if critical else "0.55"


def timeline_svg(plan: Plan, accent: str) -> str:
    """The steps as bars on a calendar, target (solid) and forecast (dashed) lines: text all escaped."""
    from mapgen.wording import date_range, human_date

    steps = plan.milestones
    if not steps:
        return ""
    keys = [("Signature", plan.signature)] + ([("Go-live", plan.go_live)] if plan.go_live else [])
    first = min([m.start for m in steps] + [plan.today])
    last = max([m.due for m in steps] + [k.target for _, k in keys] + [k.forecast for _, k in keys])
    span = max((last - first).days + 1, 1)
    width, label_w, lane, top = 960, 250, 20, 34
    right = 12
    height = top + lane * len(steps) + 8

    def x(day: dt.date) -> float:
        return round(label_w + (day - first).days / span * (width - label_w - right), 1)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
           f'aria-labelledby="timeline-caption" font-family="system-ui,DejaVu Sans,sans-serif" font-size="12">']
    # closed days (holidays, closed periods) shaded
    for day_offset in range(span):
        day = first + dt.timedelta(days=day_offset)
        if day.weekday() not in plan.calendar.weekend and not plan.calendar.is_working(day):
            out.append(f'<rect x="{x(day)}" y="{top - 4}" width="{max(x(day + dt.timedelta(days=1)) - x(day), 1)}" '
                       f'height="{height - top}" fill="#E5E7EB"/>')
    # month ticks
    month = dt.date(first.year, first.month, 1)
    last_label = -1000.0
    while month <= last:
        if month >= first:
            out.append(f'<line x1="{x(month)}" y1="18" x2="{x(month)}" y2="{height}" stroke="#E2E8F0"/>')
        label_day = max(month, first)
        following = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        # A month the axis starts inside is labelled only when its label fits before the next month's: else
        # "Oct 2026" would sit over November and push November's own label out.
        room = month >= first or x(following) - x(first) >= 64
        if room and x(label_day) < width - 60 and x(label_day) - last_label >= 64:  # labels never overlap
            last_label = x(label_day)
            out.append(f'<text x="{x(label_day) + 3}" y="14" fill="#475569">{MONTHS[month.month - 1]} {month.year}</text>')
        month = following
    for i, m in enumerate(steps):
        y = top + i * lane
        name = plain(m.name).replace("\n", " ")
        short = name if len(name) <= 34 else name[:33] + "…"
        out.append(f'<text x="4" y="{y + 13}" fill="#1E293B">{m.number}. {escape(short)}</text>')
        fill, opacity = _fill(m.state, m.critical, accent)
        x0, x1 = x(m.start), x(m.due + dt.timedelta(days=1))
        stroke = ' stroke="#111827" stroke-width="2"' if m.pinned else ""
        tip = f"{m.number}. {name}: {date_range(m.start, m.due)}, {m.state_label}"
        out.append(f'<rect x="{x0}" y="{y + 3}" width="{max(x1 - x0, 3)}" height="{lane - 6}" rx="2" '
                   f'fill="{fill}" fill-opacity="{opacity}"{stroke}><title>{escape(tip)}</title></rect>')
    for label, key in keys:
        tx = x(key.target)
        out.append(f'<line x1="{tx}" y1="20" x2="{tx}" y2="{height}" stroke="#1E293B" stroke-width="2">'
                   f'<title>Target {label.lower()} {human_date(key.target)}</title></line>')
        out.append(f'<text x="{tx + 3}" y="28" fill="#1E293B" font-size="10">{label}</text>')
        if key.forecast != key.target:
            fx = x(key.forecast)
            colour = "#B91C1C" if key.forecast > key.target else "#1E293B"
            out.append(f'<line x1="{fx}" y1="20" x2="{fx}" y2="{height}" stroke="{colour}" stroke-width="2" '
                       f'stroke-dasharray="5 4"><title>Forecast {label.lower()} {human_date(key.forecast)}'
                       f'</title></line>')
    tx = x(plan.today)
    out.append(f'<line x1="{tx}" y1="20" x2="{tx}" y2="{height}" stroke="#475569" stroke-dasharray="1 3"/>')
    out.append("</svg>")
    return "".join(out)


def closed_days(plan: Plan) -> list[tuple[str, str]]:
    """The shaded days of the timeline in words: (date or date range, reason), weekends left out."""
    from mapgen.wording import date_range

    steps = plan.milestones
    if not steps:
        return []
    keys = [plan.signature] + ([plan.go_live] if plan.go_live else [])
    first = min([m.start for m in steps] + [plan.today])
    last = max([m.due for m in steps] + [k.target for k in keys] + [k.forecast for k in keys])
    runs: list[list] = []  # [start, end, reason]
    day = first
    while day <= last:
        reason = plan.calendar.closed_reason(day)
        if reason and reason != "weekend":
            if runs and runs[-1][2] == reason and all(
                    plan.calendar.closed_reason(runs[-1][1] + dt.timedelta(days=d)) is not None
                    for d in range(1, (day - runs[-1][1]).days)):
                runs[-1][1] = day
            else:
                runs.append([day, day, reason])
        day += dt.timedelta(days=1)
    return [(date_range(a, b), reason) for a, b, reason in runs]
