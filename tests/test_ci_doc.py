"""docs/ci.md's workflow and the pre-commit hook, run as CI would on a small repository of briefs.

Each job's ``run:`` steps (but the install) run in bash in a fresh copy of the repository, with
``$GITHUB_ENV`` honoured and ``${{ matrix.shard }}`` filled in for each runner of the matrix.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from briefs import brief_text  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("git") is None or shutil.which("bash") is None,
                                                   reason="needs git and bash")]


def workflow() -> dict:
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    section = text[text.index("## GitHub Actions"):]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block
    return YAML(typ="safe").load(block[1])


def git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_AUTHOR_DATE": "2026-11-20T10:00:00Z",
           "GIT_COMMITTER_DATE": "2026-11-20T10:00:00Z"}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    for n in range(6):
        path = repo / "briefs" / ["amer", "emea", "emea/dach"][n % 3] / f"deal-{n}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = brief_text(n)
        if n == 4:  # dated by the commit (SOURCE_DATE_EPOCH)
            text = re.sub(r"today: [0-9-]+, ", "", text)
        path.write_text(text, encoding="utf-8")
    (repo / "templates").mkdir()
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "briefs")
    return repo


def run_job(job: dict, workflow_env: dict, checkout: Path, matrix: dict[str, object] | None = None) -> list:
    """Run a job's shell steps; returns the completed processes (stops at the first failure)."""
    env = {**os.environ, **{k: str(v) for k, v in workflow_env.items()}}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    env.pop("SOURCE_DATE_EPOCH", None)
    github_env = checkout.parent / f"github-env-{checkout.name}"
    github_env.write_text("")
    env["GITHUB_ENV"] = str(github_env)
    done = []
    for step in job["steps"]:
        script = step.get("run")
        if script is None or "pip install" in script:
            continue  # actions (checkout, cache, artifacts) and the install: the test has mapgen installed
        for key, value in (matrix or {}).items():
            script = script.replace(f"${{{{ matrix.{key} }}}}", str(value))
        assert "${{" not in script, script
        result = subprocess.run(["bash", "-e", "-c", script], cwd=checkout, env=env, capture_output=True, text=True)
        done.append(result)
        for line in github_env.read_text().splitlines():
            key, _, value = line.partition("=")
            env[key] = value
        if result.returncode != 0:
            break
    return done


def commit_time(repo: Path) -> str:
    return subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=repo, capture_output=True, text=True,
                          check=True).stdout.strip()


def plans(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".mapgen-manifest.json"}


def test_the_matrix_build_gives_every_plan_once(repo: Path, tmp_path: Path) -> None:
    flow = workflow()
    build = flow["jobs"]["build"]
    shards = build["strategy"]["matrix"]["shard"]
    assert len(shards) > 1
    merged: dict[str, bytes] = {}
    for shard in shards:
        runner = tmp_path / f"runner{shard}"
        shutil.copytree(repo, runner)  # each runner checks out the repository
        steps = run_job(build, flow["env"], runner, {"shard": shard})
        assert steps and all(s.returncode == 0 for s in steps), [(s.args, s.stdout, s.stderr) for s in steps]
        assert (runner / "build" / f"report-{shard}.json").is_file()
        built = plans(runner / "build" / "plans")
        assert not set(built) & set(merged), "two shards wrote the same plan"
        merged.update(built)
        again = run_job(build, flow["env"], runner, {"shard": shard})  # the cached folder: nothing to render
        assert " 0 written, " in again[-1].stderr and " 0 failed" in again[-1].stderr, again[-1].stderr
    # the same plans, byte for byte, as one build on one machine with the date pinned the same way
    env = {**os.environ, "SOURCE_DATE_EPOCH": commit_time(repo), "MAPGEN_TEMPLATE_PATH": "templates"}
    subprocess.run([sys.executable, "-m", "mapgen", "generate", "briefs", "-o", "all", "-q"], cwd=repo, env=env,
                   check=True, capture_output=True)
    assert merged == plans(repo / "all")
    assert len(merged) == 6 * 5


def test_the_pull_request_check(repo: Path, tmp_path: Path) -> None:
    flow = workflow()
    check = flow["jobs"]["check"]
    # the committed plans: built as the README of docs/ci.md says, with the commit's date
    runner = tmp_path / "pr"
    shutil.copytree(repo, runner)
    env = {**os.environ, "SOURCE_DATE_EPOCH": commit_time(repo)}  # the commit's day
    subprocess.run([sys.executable, "-m", "mapgen", "generate", "briefs", "-o", "plans", "-q"], cwd=runner, env=env,
                   check=True, capture_output=True)
    fresh = run_job(check, flow["env"], runner)
    assert fresh and all(s.returncode == 0 for s in fresh), [(s.args, s.stdout, s.stderr) for s in fresh]
    brief = runner / "briefs" / "emea" / "deal-1.yaml"
    brief.write_text(brief.read_text().replace("platform", "suite"))
    stale = run_job(check, flow["env"], runner)
    assert stale[-1].returncode == 1
    assert "plans/emea/deal-1.md: stale" in stale[-1].stdout
    assert "plans/amer/deal-0.md" not in stale[-1].stdout


def test_the_pre_commit_hook(repo: Path) -> None:
    hooks = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "mapgen-check")
    changed = [p for p in (repo / "briefs").rglob("*.yaml") if re.search(hook["files"], p.as_posix())][:3]
    assert len(changed) == 3
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    command = hook["entry"].split() + [str(p.relative_to(repo)) for p in changed]
    ok = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.count(": ok: ") == 3
    changed[0].write_text(changed[0].read_text().replace("amount: ", "amount: lots"))
    bad = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True)
    assert bad.returncode == 1 and str(changed[0].relative_to(repo)) in bad.stderr
    assert not (repo / "out").exists() and not (repo / "plans").exists()  # it writes nothing
