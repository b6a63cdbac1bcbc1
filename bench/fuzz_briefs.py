"""Fuzzing briefs and templates through the real command line, in-process.

Run: python bench/fuzz_briefs.py [--cases N] [--seed S] [--formats md,json] [--templates-every K]

Each case mutates one of the example briefs (values swapped for hostile ones at random places, keys
added or removed, YAML-level edits: tags, directives, aliases, stray bytes) and, every K-th case, a copy
of a shipped template (conditions, durations, references, a hostile Markdown template), then runs
``mapgen generate``. A case fails the README's promise about errors ("one line each,
``FILE:LINE: error: MESSAGE``") when mapgen:

- reports an internal error, a traceback, or exits with anything but 0 or 1;
- prints an error about the brief or the template without its line (``FILE:LINE: error: ...``), or an
  error about neither;
- writes JSON that is not strict (NaN, Infinity), or takes longer than --slow seconds.

tests/test_fuzz.py runs the same cases with a small budget in the normal suite.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
TEMPLATES = ROOT / "templates"

HOSTILE_SCALARS: list[Any] = [
    0, -1, 1, 7, 2**31, 2**63, 10**30, -(10**20), 1.5, 1e308, float("inf"), float("-inf"), float("nan"),
    True, False, None, "", " ", "x", "none", "None", "null", "~", "yes", "on",
    "2026-11-02", "2026-02-30", "0001-01-01", "9999-12-31", "2300-01-01", "1899-12-31", "2026-11-\udc80",
    "2026-11-02..2026-10-01", "2026-12-24..2027-01-01", "monday 10:00", "friday 25:00", "sunday",
    "saturday", "3d", "2w", "99999999999d", "-3d", "0", "1e9", "security_review", "value_review", "signature",
    "go_live", "kickoff", "enterprise", "smb", "../../tmp/x", "/etc", "a" * 300, "W" * 10_000,
    "A\x85B", "A\u2028B\u2029C", "line\nbreak", "tab\there", "\x00\x01\x1b\x7f\x9f", "\ufeff\u200b",
    "R&D <script>alert(1)</script>", "{{ 7 * 7 }}", "{% for i in range(9) %}x{% endfor %}", "**bold** `code`",
    "[link](javascript:alert(1))", "=SUM(A1)", "مرحبا", "🚀👩🏽‍💻", "%s%s%n", "\\x00", "US", "US-CA", "DE-XX", "XX",
    "EUR", "usd", "champion", "economic_buyer", "done", "in_progress", "blocked", "not_started", "maybe",
]

TEXT_EDITS = [
    "!!int x", "!!float x", "!!bool maybe", "!!binary x", "!!python/object:os.system x", "!foo x", "!!set {a}",
    "!!omap [a: 1]", "!!timestamp x", "&a x", "*undefined_alias", "[", "{", "]", "}", ":", "- ", "? ", "|", ">",
    "'", '"', "#", "%", "@", "`", "\t", "\x00", "\x85", "\u2028", "\ud800", "\r", "\x0c",
]

CONDITIONS = [
    "deal.amount is none or deal.amount < 100000", "deal.amount >= 100000", "buyer.country in EU",
    "deal.amount > 'x'", "undefined_name > 1", "deal.amount.__class__", "10**100000000 > 0",
    "range(100000000)|list|length > 0", "('x' * 999999) * 999 == 1", "lipsum(1000000)|length > 0",
    "'{:>9999999999}'.format(1)|length > 0", "'%9999999999d' % 1 == 1", "deal.name|center(10**9)|length > 0",
    "range(10000)|map('string')|map('center', 99999)|join|length > 0", "(", "deal.amount >= ", "1/0",
    "[].append(1)", "deal.update({})", "buyer.people[0].name == 'x'", "deal.segment == 'smb'", "true", "none",
]

MARKDOWN = [
    "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}", "{{ lipsum(1000000) }}",
    "{{ 10**100000000 }}", "{% for i in range(10000) %}{{ 'x' * 999999 }}{% endfor %}",
    "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "{{ plan.source }} {{ plan.deal.name|md }}",
    "{{ plan.__class__ }}", "{{ range }}", "{% for s in steps %}{{ s.name|cell }}|{% endfor %}", "{{ x }",
    "{{ plan.milestones[0].owners.buyer }}", "{{ cycler(1,2).next() }}", "{{ '%s'|format(plan) }}",
]

LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>\d+): error: ")


@dataclass
class Case:
    seed: int
    brief: bytes
    template: dict[str, str | bytes] = field(default_factory=dict)  # file name -> content, for a template copy
    base_template: str | None = None


@dataclass
class Outcome:
    case: Case
    code: int
    err: str
    seconds: float
    problems: list[str]


# -- mutations -------------------------------------------------------------------------------------------

def _load(path: Path) -> Any:
    from mapgen.yamlio import load_yaml

    return load_yaml(path)[0]


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out.extend(_paths(value, prefix + (key,)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            out.extend(_paths(value, prefix + (index,)))
    return out


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _hostile_value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if roll < 0.7 or depth > 2:
        return rng.choice(HOSTILE_SCALARS)
    if roll < 0.8:
        return [_hostile_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if roll < 0.9:
        return {rng.choice(["name", "id", "duration", "before", "after", "x", "status", "done", 5]):
                _hostile_value(rng, depth + 1) for _ in range(rng.randint(0, 3))}
    nested: Any = "deep"
    for _ in range(rng.choice([10, 60, 120])):  # deeper still is tested as text (nesting 300 deep)
        nested = [nested]
    return nested


def _mutate_data(rng: random.Random, data: Any, extra_keys: list[str]) -> Any:
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        paths = [p for p in _paths(data) if p]
        roll = rng.random()
        if paths and roll < 0.55:
            path = rng.choice(paths)
            _get(data, path[:-1])[path[-1]] = _hostile_value(rng)
        elif paths and roll < 0.7:
            path = rng.choice(paths)
            parent = _get(data, path[:-1])
            if isinstance(parent, dict):
                del parent[path[-1]]
            else:
                parent.pop(path[-1])
        elif roll < 0.85:
            target = rng.choice([p for p in _paths(data) if isinstance(_get(data, p), dict)] or [()])
            _get(data, target)[rng.choice(extra_keys)] = _hostile_value(rng)
        elif isinstance(data, dict):
            step = {"id": rng.choice(["extra_step", "signature", "x"]), "name": rng.choice(HOSTILE_SCALARS),
                    "workstream": rng.choice(["security", "onboarding", "purchase", "evaluation", "legal", "x"]),
                    "duration": rng.choice(["3d", 0, "2w", "99999999999d", -1])}
            for key in rng.sample(["before", "after"], rng.randint(0, 2)):
                step[key] = rng.sample(["value_review", "signature", "kickoff", "go_live", "security_review",
                                        "discovery_call", "adoption", "extra_step"], rng.randint(1, 2))
            data.setdefault("add", [])
            if isinstance(data["add"], list):
                data["add"].append(step)
            else:
                data["add"] = [step]
    return data


def _dump(rng: random.Random, data: Any) -> bytes:
    def fix(value: Any) -> Any:  # json cannot write these; YAML spellings instead, via placeholders
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            return {float("inf"): "@@.inf@@", float("-inf"): "@@-.inf@@"}.get(value, "@@.nan@@")
        if isinstance(value, dict):
            return {str(k) if not isinstance(k, str) else k: fix(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fix(v) for v in value]
        return value

    ascii_only = rng.random() < 0.5
    text = json.dumps(fix(data), ensure_ascii=ascii_only, indent=rng.choice([None, 2]))
    text = re.sub(r'"@@(.*?)@@"', r"\1", text)
    if rng.random() < 0.5:  # block style as well as flow style
        from ruamel.yaml import YAML

        try:
            yaml = YAML(typ="rt")
            stream = io.StringIO()
            yaml.dump(yaml.load(text), stream)
            text = stream.getvalue()
        except Exception:  # noqa: BLE001 - keep the JSON form
            pass
    return text.encode("utf-8", errors="surrogatepass")


def _mutate_text(rng: random.Random, data: bytes) -> bytes:
    text = data.decode("utf-8", errors="surrogatepass")
    for _ in range(rng.randint(1, 3)):
        roll = rng.random()
        lines = text.split("\n")
        if roll < 0.3:
            index = rng.randrange(len(lines))
            line = lines[index]
            cut = line.find(":") + 1 or rng.randint(0, len(line))
            lines[index] = line[:cut] + " " + rng.choice(TEXT_EDITS) + line[cut:]
        elif roll < 0.45:
            position = rng.randint(0, len(text))
            text = text[:position] + rng.choice(TEXT_EDITS) + text[position:]
            continue
        elif roll < 0.55:
            lines.insert(0, rng.choice(["%YAML 1.3\n---", "%YAML 2.0\n---", "%YAML 1.1\n---", "%TAG ! tag:x,2000:\n---",
                                        "%YAML abc\n---", "---\n---", "..."]))
        elif roll < 0.65 and len(lines) > 1:
            lines.pop(rng.randrange(len(lines)))
        elif roll < 0.75:
            index = rng.randrange(len(lines))
            lines.insert(index, lines[index])
        elif roll < 0.85:
            bomb = ['bomb0: &b0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
            for n in range(1, 9):
                bomb.append(f"bomb{n}: &b{n} [" + ",".join([f"*b{n - 1}"] * 9) + "]")
            lines = bomb + lines
        elif roll < 0.95:
            text = text[: rng.randint(0, len(text))]
            continue
        else:
            raw = text.encode("utf-8", errors="surrogatepass")
            position = rng.randint(0, len(raw))
            return raw[:position] + bytes(rng.choice([b"\xff", b"\xfe\xff", b"\xc3", b"\xed\xa0\x80"])) + raw[position:]
        text = "\n".join(lines)
    return text.encode("utf-8", errors="surrogatepass")


TEXT_KEYS = {"name", "company", "outcome", "note", "risk", "mitigation", "title", "description", "gate"}


def _hostile_text(rng: random.Random) -> str:
    """A string of text: hostile pieces and random code points from every plane."""
    pieces = [rng.choice([s for s in HOSTILE_SCALARS if isinstance(s, str)]) for _ in range(rng.randint(1, 3))]
    for _ in range(rng.randint(0, 8)):
        plane = rng.choice([0x7F, 0x2FF, 0x7FF, 0xFFFF, 0x10FFFF])
        pieces.insert(rng.randint(0, len(pieces)), chr(rng.randint(0, plane)))
    return "".join(pieces)


def make_text_case(seed: int) -> Case:
    """A valid brief whose text fields (names, notes, outcome, risks) hold hostile text: it must build."""
    rng = random.Random(seed)
    data = _load(rng.choice(EXAMPLES))
    paths = [p for p in _paths(data) if p and p[-1] in TEXT_KEYS and isinstance(_get(data, p), str)]
    for path in rng.sample(paths, min(len(paths), rng.randint(1, 6))):
        _get(data, path[:-1])[path[-1]] = _hostile_text(rng)
    text = json.dumps(data, ensure_ascii=True)  # escapes, so any code point survives the file
    return Case(seed, text.encode("ascii"))


def make_case(seed: int, template_every: int = 4) -> Case:
    rng = random.Random(seed)
    data = _load(rng.choice(EXAMPLES))
    if rng.random() < 0.85:
        data = _mutate_data(rng, data, ["x", "segment", "calendar", "weekend", "closed", "unknown_key", "skip",
                                        "due", "started", "note", "owner", "status"])
    try:
        brief = _dump(rng, data)
    except RecursionError:  # deep values nested in deep values: the text form instead
        brief = ("deal: " + "[" * 300 + "]" * 300 + "\n").encode()
    if rng.random() < 0.25:
        brief = _mutate_text(rng, brief)
    case = Case(seed, brief)
    if template_every and seed % template_every == 0:
        name = rng.choice(["smb", "enterprise"])
        template = _load(TEMPLATES / name / "template.yaml")
        template["name"] = "fuzzed"
        template.setdefault("select", {})["when"] = rng.choice(CONDITIONS)
        if rng.random() < 0.5 and template.get("rules"):
            template["rules"][0]["when"] = rng.choice(CONDITIONS)
        if rng.random() < 0.6:
            template = _mutate_data(rng, template, ["x", "extends", "priority", "remove", "check_in", "text"])
        try:
            content = _dump(rng, template)
        except RecursionError:
            content = b"name: fuzzed\nworkstreams: " + b"[" * 300 + b"]" * 300 + b"\n"
        if rng.random() < 0.2:
            content = _mutate_text(rng, content)
        case.template["template.yaml"] = content
        case.base_template = name
        if rng.random() < 0.4:
            case.template["plan.md.j2"] = rng.choice(MARKDOWN)
    return case


# -- running and judging ------------------------------------------------------------------------------------

def run_case(case: Case, workdir: Path, formats: str = "md,json", slow: float = 30.0) -> Outcome:
    from mapgen.cli import main

    folder = workdir / f"case{case.seed}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    brief = folder / "brief.yaml"
    brief.write_bytes(case.brief)
    args = ["generate", str(brief), "-f", formats, "-o", str(folder / "out"), "--today", "2026-11-23"]  # on or after every example's done dates
    template_file = None
    if case.template:
        root = folder / "templates"
        (root / "fuzzed").mkdir(parents=True)
        for name, content in case.template.items():
            target = root / "fuzzed" / name
            target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        template_file = root / "fuzzed" / "template.yaml"
        args += ["--template-path", str(root)]
        if case.seed % 8 == 0:
            args += ["--template", "fuzzed"]
    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(args)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    seconds = time.monotonic() - started
    problems = judge(code, err.getvalue(), brief, template_file, folder / "out", seconds, slow)
    return Outcome(case, code, err.getvalue(), seconds, problems)


def judge(code: int, err: str, brief: Path, template: Path | None, out: Path, seconds: float,
          slow: float) -> list[str]:
    problems = []
    if code not in (0, 1):
        problems.append(f"exit status {code}")
    if "internal error" in err or "Traceback" in err:
        problems.append("internal error: " + next(line for line in err.splitlines() if "error" in line))
    inputs = {str(brief)} | ({str(template), str(template.parent / "plan.md.j2")} if template else set())
    for line in err.splitlines():
        if ": error: " not in line or "internal error" in line:
            continue
        match = LOCATED.match(line)
        if match and match.group("file") in inputs:
            continue
        if match and template is not None and Path(match.group("file")).name in ("template.yaml",):
            continue  # a shipped template named by a fuzzed one (extends): located all the same
        problems.append(f"not located: {line[:300]}")
    if code == 1 and ": error: " not in err:
        problems.append("exit 1 without an error line")
    if seconds > slow:
        problems.append(f"took {seconds:.1f} s")
    written = out / "brief.json"
    if written.is_file():
        def strict(constant: str) -> Any:
            raise ValueError(f"not strict JSON: {constant}")

        try:
            json.loads(written.read_text(encoding="utf-8"), parse_constant=strict)
        except ValueError as exc:
            problems.append(str(exc))
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0, help="first case's seed (cases are seed, seed+1, ...)")
    parser.add_argument("--formats", default="md,json")
    parser.add_argument("--templates-every", type=int, default=4, help="mutate a template every K-th case")
    parser.add_argument("--slow", type=float, default=30.0, help="a case taking longer fails")
    parser.add_argument("--keep", type=Path, default=None, help="copy failing cases here")
    parser.add_argument("--hostile-text", action="store_true",
                        help="only put hostile text into valid briefs' text fields: every case must build")
    args = parser.parse_args()
    failures: list[Outcome] = []
    kinds: dict[str, int] = {}
    started = time.monotonic()
    slowest = 0.0
    with tempfile.TemporaryDirectory(prefix="mapgen-fuzz-") as tmp:
        for number, seed in enumerate(range(args.seed, args.seed + args.cases), 1):
            case = make_text_case(seed) if args.hostile_text else make_case(seed, args.templates_every)
            outcome = run_case(case, Path(tmp), args.formats, args.slow)
            if args.hostile_text and outcome.code != 0 and not outcome.problems:
                outcome.problems.append("a valid brief with hostile text did not build: "
                                        + (outcome.err.strip().splitlines() or ["?"])[-1][:200])
            slowest = max(slowest, outcome.seconds)
            kinds["ok" if outcome.code == 0 else "located error"] = kinds.get("ok" if outcome.code == 0 else
                                                                              "located error", 0) + 1
            shutil.rmtree(Path(tmp) / f"case{seed}", ignore_errors=True)
            if outcome.problems:
                failures.append(outcome)
                print(f"seed {seed}: {'; '.join(outcome.problems)}", flush=True)
                if args.keep:
                    args.keep.mkdir(parents=True, exist_ok=True)
                    (args.keep / f"brief-{seed}.yaml").write_bytes(outcome.case.brief)
                    for name, content in outcome.case.template.items():
                        data = content if isinstance(content, bytes) else content.encode()
                        (args.keep / f"{seed}-{name}").write_bytes(data)
            if number % 200 == 0:
                print(f"... {number} cases, {len(failures)} failing, {time.monotonic() - started:.0f} s", flush=True)
    total = time.monotonic() - started
    print(f"{args.cases} cases (seeds {args.seed}..{args.seed + args.cases - 1}, formats {args.formats}): "
          f"{kinds.get('ok', 0)} built, {kinds.get('located error', 0)} rejected with located errors, "
          f"{len(failures)} breaking the error contract; {total:.0f} s, slowest case {slowest:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
