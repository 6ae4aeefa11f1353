"""The CI examples of docs/ci.md (docs/ci/*.yml), run as their CI services would run them.

Each file is loaded as YAML; the `refactor …` lines of its `run:` steps (GitHub Actions) or
`script:` (GitLab CI) are run -- by bash, as both services do, with this environment's
`refactor` first on PATH -- in a copy of a corpus app (a Dockerfile and its build context).
Their exit codes must be what the workflow is built around (a report step that passes on
exit 1 so the upload still runs; a gate that fails), and what they write must parse as the
format they name.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CI = ROOT / "docs" / "ci"
DOC = ROOT / "docs" / "ci.md"
APP = ROOT / "corpus" / "apps" / "python-uv"  # a Dockerfile with changes to make, and its context
WORKFLOWS = ("github-sarif.yml", "github-annotations.yml", "gitlab-ci.yml")
OPERATORS = {"||", "&&", "|", ";", ">", ">>", "<", "2>", "&"}

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")


# --- reading the workflows -----------------------------------------------------------------------


def load(name: str) -> dict:
    data = yaml.safe_load((CI / name).read_text())
    assert isinstance(data, dict)
    return data


def github_steps(data: dict) -> list[tuple[str, dict]]:
    """(job, step) in order. PyYAML reads the key `on` as True (YAML 1.1): both spellings work."""
    assert data.get("on", data.get(True)), "a workflow needs `on:`"
    return [(job_name, step) for job_name, job in data["jobs"].items() for step in job["steps"]]


def gitlab_jobs(data: dict) -> dict[str, dict]:
    reserved = {"default", "include", "stages", "variables", "workflow", "image", "services", "cache",
                "before_script", "after_script"}
    return {k: v for k, v in data.items() if k not in reserved and not k.startswith(".") and isinstance(v, dict)}


def command_lines(script) -> list[str]:
    """The shell lines of a `run:` block or a `script:` list that call refactor."""
    lines = script if isinstance(script, list) else str(script).splitlines()
    return [line.strip() for line in lines if line.strip().startswith("refactor ")]


def split(line: str) -> tuple[list[str], str | None]:
    """(refactor's argv, the file its stdout is redirected to), split as a shell splits the line."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    tokens = list(lexer)
    argv: list[str] = []
    for i, token in enumerate(tokens):
        if token in OPERATORS:
            target = tokens[i + 1] if token in (">", ">>") else None
            return argv, target
        if token == "#":
            break
        argv.append(token)
    return argv, None


def option(argv: list[str], name: str) -> str | None:
    for i, a in enumerate(argv):
        if a == name and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith(name + "="):
            return a.split("=", 1)[1]
    return None


def test_every_workflow_is_shown_in_the_doc() -> None:
    doc = DOC.read_text()
    for name in WORKFLOWS:
        text = (CI / name).read_text()
        assert f"docs/ci/{name}" in doc
        assert text.strip() in doc, f"docs/ci.md does not show {name} as it is"


def test_every_refactor_line_is_a_valid_command() -> None:
    from refactor.cli import _main_parser

    seen = set()
    for name in WORKFLOWS:
        for line in all_lines(name):
            argv, _ = split(line)
            ns = _main_parser().parse_args(argv[1:])  # a usage error raises SystemExit
            assert ns.paths
            seen.add(ns.output_format)
    assert {"sarif", "github", "gitlab"} <= seen


def all_lines(name: str) -> list[str]:
    data = load(name)
    if name.startswith("github"):
        return [line for _, step in github_steps(data) for line in command_lines(step.get("run", ""))]
    return [line for job in gitlab_jobs(data).values() for line in command_lines(job.get("script", []))]


def test_github_sarif_workflow_may_upload_to_code_scanning() -> None:
    data = load("github-sarif.yml")
    steps = github_steps(data)
    job = data["jobs"][steps[0][0]]
    permissions = {**(data.get("permissions") or {}), **(job.get("permissions") or {})}
    assert permissions.get("security-events") == "write"
    assert permissions.get("contents") == "read"
    check = next(i for i, (_, s) in enumerate(steps) if command_lines(s.get("run", "")))
    upload = next(i for i, (_, s) in enumerate(steps) if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@"))
    assert upload > check
    _, target = split(command_lines(steps[check][1]["run"])[0])
    assert steps[upload][1]["with"]["sarif_file"] == target
    assert any(uses.startswith("actions/checkout@") for uses in (str(s.get("uses", "")) for _, s in steps))


def test_gitlab_job_reports_code_quality() -> None:
    (job,) = gitlab_jobs(load("gitlab-ci.yml")).values()
    _, target = split(command_lines(job["script"])[0])
    assert job["artifacts"]["reports"]["codequality"] == target == "gl-code-quality-report.json"
    assert job["artifacts"]["when"] == "always"
    assert 1 in job["allow_failure"]["exit_codes"]


# --- running them --------------------------------------------------------------------------------

SCENARIOS = {
    # name: (files to add or replace in the copy of the app, refactor's exit code under --check)
    "changes": ({}, 1),
    # already what refactor makes of it: the Dockerfile, and the .dockerignore CX001 proposes
    "clean": ({"Dockerfile": (APP / "expected").read_text(), ".dockerignore": ".venv\n"}, 0),
    "broken": ({"bad/Dockerfile": "FROM debian:bookworm-slim\nFORM x\n"}, 2),
}


@pytest.fixture
def workspace(tmp_path: Path, request) -> tuple[Path, str]:
    """(a checkout as CI sees it: a corpus app at the root, the scenario's name)."""
    dest = tmp_path / "checkout"
    shutil.copytree(APP, dest)
    (dest / "expected").unlink()  # the corpus's answer is not part of the app
    for name, text in SCENARIOS[request.param][0].items():
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        (dest / name).write_text(text)
    return dest, request.param


def env() -> dict:
    out = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR",)}
    out["PATH"] = str(Path(sys.executable).parent) + os.pathsep + out.get("PATH", "")
    out["NO_COLOR"] = "1"
    return out


def run_line(line: str, cwd: Path) -> subprocess.CompletedProcess:
    """As GitHub's default shell (`bash -e -o pipefail`) and GitLab's runner run one script line."""
    return subprocess.run(["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", line], cwd=cwd,
                          capture_output=True, text=True, env=env(), timeout=300)


def run_refactor(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    assert argv[0] == "refactor"
    exe = shutil.which("refactor", path=env()["PATH"])
    assert exe and Path(exe).parent == Path(sys.executable).parent, "the venv's refactor must come first on PATH"
    return subprocess.run([exe, *argv[1:]], cwd=cwd, capture_output=True, text=True, env=env(), timeout=300)


@pytest.fixture(scope="session")
def sarif_validator():
    jsonschema = pytest.importorskip("jsonschema")
    from test_cli import sarif_schema

    schema = sarif_schema()
    return (lambda doc: jsonschema.validate(doc, schema)) if schema else None


def check_output(fmt: str, text: str, scenario: str, sarif_validator) -> None:
    if fmt == "sarif":
        doc = json.loads(text)
        assert doc["version"] == "2.1.0"
        if sarif_validator is not None:
            sarif_validator(doc)
        results = doc["runs"][0]["results"]
        assert bool(results) is (scenario != "clean")
        if scenario == "broken":
            assert any(r["level"] == "error" and "bad/Dockerfile" in r["locations"][0]["physicalLocation"]
                       ["artifactLocation"]["uri"] for r in results)
    elif fmt == "github":
        lines = text.splitlines()
        assert bool(lines) is (scenario != "clean")
        pattern = re.compile(r"::(notice|warning|error) file=[^,:]+(,line=\d+,col=\d+,title=[^:]+)?::.+")
        for line in lines:
            assert pattern.fullmatch(line), line
        if scenario != "clean":
            assert any(line.startswith("::warning file=Dockerfile,line=") or line.startswith("::notice file=Dockerfile,line=")
                       for line in lines)
        if scenario == "broken":
            assert any(line.startswith("::error file=bad/Dockerfile,line=") for line in lines)  # at the parse error
    elif fmt == "gitlab":
        issues = json.loads(text)
        assert isinstance(issues, list) and bool(issues) is (scenario != "clean")
        for issue in issues:
            assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
            assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
            assert issue["location"]["path"] in ("Dockerfile", "bad/Dockerfile")
            assert isinstance(issue["location"]["lines"]["begin"], int)
        if scenario == "broken":
            assert any(i["check_name"] == "E001" and i["severity"] == "major" for i in issues)
    else:  # text: a diff and the one-line-per-change list
        if scenario == "changes":
            assert "--- a/Dockerfile\n+++ b/Dockerfile\n" in text


@pytest.mark.parametrize("workspace", list(SCENARIOS), indirect=True)
def test_github_workflows_run_as_their_steps_expect(workspace: tuple[Path, str], sarif_validator) -> None:
    workspace, scenario = workspace
    expected_exit = SCENARIOS[scenario][1]
    for name in ("github-sarif.yml", "github-annotations.yml"):
        steps = [s for _, s in github_steps(load(name))]
        failed = False
        for step in steps:
            condition = str(step.get("if", "success()"))
            if failed and not re.search(r"failure\(\)|always\(\)|!\s*cancelled\(\)", condition):
                continue  # skipped after a failed step, as on GitHub
            if not failed and re.fullmatch(r"\$\{\{\s*failure\(\)\s*\}\}|failure\(\)", condition):
                continue  # runs only after a failure
            if "uses" in step:
                if str(step["uses"]).startswith("github/codeql-action/upload-sarif@"):
                    sarif = workspace / step["with"]["sarif_file"]
                    assert sarif.is_file(), f"{name}: nothing to upload"
                    check_output("sarif", sarif.read_text(), scenario, sarif_validator)
                continue
            for line in command_lines(step.get("run", "")):
                argv, target = split(line)
                direct = run_refactor(argv, workspace)
                fmt = option(argv, "--format") or "text"
                if "--check" in argv:
                    assert direct.returncode == expected_exit, f"{name}: {line}: {direct.stderr}"
                else:
                    assert direct.returncode in (0, 2 if scenario == "broken" else 0), f"{name}: {line}: {direct.stderr}"
                as_ci = run_line(line, workspace)
                written = (workspace / target).read_text() if target else as_ci.stdout
                assert written == direct.stdout, f"{name}: {line}: the shell line and the command disagree"
                check_output(fmt, written, scenario, sarif_validator)
                if as_ci.returncode != 0 and not step.get("continue-on-error"):
                    failed = True
        if name == "github-sarif.yml":
            # findings are what the report is for: only a broken file fails the job
            assert failed is (scenario == "broken")
        else:
            # a gate: the pull request check fails while a Dockerfile would change
            assert failed is (scenario != "clean")


@pytest.mark.parametrize("workspace", list(SCENARIOS), indirect=True)
def test_gitlab_job_runs_as_it_expects(workspace: tuple[Path, str], sarif_validator) -> None:
    workspace, scenario = workspace
    (job,) = gitlab_jobs(load("gitlab-ci.yml")).values()
    allowed = set(job["allow_failure"]["exit_codes"])
    status = 0
    for line in command_lines(job["script"]):
        argv, target = split(line)
        direct = run_refactor(argv, workspace)
        assert direct.returncode == SCENARIOS[scenario][1], direct.stderr
        as_ci = run_line(line, workspace)
        assert as_ci.returncode == direct.returncode
        status = status or as_ci.returncode
        written = (workspace / target).read_text()
        assert written == direct.stdout
        check_output(option(argv, "--format"), written, scenario, sarif_validator)
    report = workspace / job["artifacts"]["reports"]["codequality"]
    assert report.is_file()  # uploaded in every case: artifacts: when: always
    if scenario == "broken":
        assert status not in allowed  # a file that cannot be parsed fails the pipeline
    else:
        assert status == 0 or status in allowed  # findings only warn
