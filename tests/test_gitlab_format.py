"""`--format gitlab`: a GitLab Code Quality report (CodeClimate-style JSON), read as a specification.

GitLab reads an array of issues, each with `description`, `check_name`, `fingerprint`,
`severity` (info, minor, major, critical, blocker) and `location: {path, lines: {begin}}`,
and shows in a merge request which issues are new and which were fixed, by fingerprint.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from refactor.output import to_gitlab

from samples import GOOD, LEGACY  # noqa: E402
# an unsafe suggestion (HY002), two equal lines with the same finding (HY005), safe and review changes
MIXED = """\
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y curl
RUN pip install flask
RUN pip install flask
CMD ["curl"]
"""
SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
    env["NO_COLOR"] = "1"
    return subprocess.run([sys.executable, "-m", "refactor", *args], cwd=cwd, capture_output=True, text=True, env=env)


def write(folder: Path, text: str, name: str = "Dockerfile") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode())
    return path


def report(*args: str, cwd: Path) -> list[dict]:
    out = run("--format", "gitlab", *args, cwd=cwd)
    assert out.returncode in (0, 1), out.stderr
    issues = json.loads(out.stdout)
    assert isinstance(issues, list)
    return issues


def test_each_issue_has_the_fields_gitlab_reads(tmp_path: Path) -> None:
    write(tmp_path, LEGACY)
    issues = report("Dockerfile", cwd=tmp_path)
    assert issues
    for issue in issues:
        assert isinstance(issue["description"], str) and issue["description"].startswith(issue["check_name"] + " ")
        assert issue["check_name"][:2].isalpha() and issue["check_name"][2:].isdigit()
        assert isinstance(issue["fingerprint"], str) and len(issue["fingerprint"]) == 64
        int(issue["fingerprint"], 16)
        assert issue["severity"] in SEVERITIES
        assert issue["location"]["path"] == "Dockerfile"
        assert isinstance(issue["location"]["lines"]["begin"], int) and issue["location"]["lines"]["begin"] >= 1
    hy009 = next(i for i in issues if i["check_name"] == "HY009")
    assert hy009["location"]["lines"]["begin"] == 2
    assert hy009["severity"] == "minor"
    assert "MAINTAINER" in hy009["description"]


def test_one_issue_per_change_and_suggestion(tmp_path: Path) -> None:
    write(tmp_path, MIXED)
    issues = report("Dockerfile", cwd=tmp_path)
    as_json = json.loads(run("--format", "json", "Dockerfile", cwd=tmp_path).stdout)["files"][0]
    found = as_json["changes"] + as_json["suggestions"]
    assert sorted((i["check_name"], i["location"]["lines"]["begin"]) for i in issues) == \
        sorted((c["code"], c["range"]["start"]["line"]) for c in found)
    assert len(issues) == len(found) >= 4


def test_severity_follows_the_fix_safety(tmp_path: Path) -> None:
    write(tmp_path, MIXED)
    # for the legacy builder, so that pip's --no-cache-dir (HY005) is the safe finding, not a cache mount (BK001)
    write(tmp_path, "buildkit = false\n", ".refactor.toml")
    by_code = {}
    for issue in report("Dockerfile", cwd=tmp_path):
        by_code.setdefault(issue["check_name"], set()).add(issue["severity"])
    assert by_code["HY002"] == {"info"}  # unsafe: a suggestion, held back at the default level
    assert by_code["HY005"] == {"minor"}  # safe
    assert by_code["US001"] == {"minor"}  # review
    # the level does not change how serious a finding is
    write(tmp_path, MIXED)
    unsafe = report("--unsafe-fixes", "Dockerfile", cwd=tmp_path)
    assert {i["severity"] for i in unsafe if i["check_name"] == "HY002"} == {"info"}


def test_fingerprints_are_unique_and_stable(tmp_path: Path) -> None:
    write(tmp_path, MIXED)
    first = report("Dockerfile", cwd=tmp_path)
    prints = [i["fingerprint"] for i in first]
    assert len(set(prints)) == len(prints)  # GitLab shows one issue per fingerprint: the two HY005 both count
    assert [i["fingerprint"] for i in report("Dockerfile", cwd=tmp_path)] == prints  # the same run, the same report
    # lines added above move the issues, not their fingerprints: GitLab sees nothing new and nothing fixed
    write(tmp_path, "# syntax=docker/dockerfile:1\n# our base image\n\n" + MIXED)
    moved = report("Dockerfile", cwd=tmp_path)
    assert {i["fingerprint"]: i["location"]["lines"]["begin"] for i in moved} == \
        {i["fingerprint"]: i["location"]["lines"]["begin"] + 3 for i in first}


def test_fingerprint_names_the_file_and_the_line(tmp_path: Path) -> None:
    write(tmp_path, LEGACY, "a/Dockerfile")
    write(tmp_path, LEGACY.replace("ops@", "dev@"), "b/Dockerfile")
    issues = report("a/Dockerfile", "b/Dockerfile", cwd=tmp_path)
    by = {(i["location"]["path"], i["check_name"]): i["fingerprint"] for i in issues}
    assert by[("a/Dockerfile", "HY009")] != by[("b/Dockerfile", "HY009")]
    # the same file under another name is another issue; a fixed line is a fixed issue
    write(tmp_path, LEGACY.replace("ops@", "dev@"), "a/Dockerfile")
    again = {(i["location"]["path"], i["check_name"]): i["fingerprint"] for i in report("a/Dockerfile", cwd=tmp_path)}
    assert again[("a/Dockerfile", "HY009")] != by[("a/Dockerfile", "HY009")]  # the MAINTAINER line changed
    assert again[("a/Dockerfile", "HY007")] == by[("a/Dockerfile", "HY007")]  # the CMD line did not


def test_paths_are_relative_with_forward_slashes(tmp_path: Path) -> None:
    write(tmp_path, LEGACY, "svc/api/Dockerfile")
    write(tmp_path, LEGACY, "web.Dockerfile")
    issues = report(".", cwd=tmp_path)
    assert {i["location"]["path"] for i in issues} == {"svc/api/Dockerfile", "web.Dockerfile"}
    assert {i["location"]["path"] for i in report("./svc", cwd=tmp_path)} == {"svc/api/Dockerfile"}


def test_empty_array_when_nothing_changes(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    write(tmp_path, "print('hello')\n", "main.py")
    out = run("--check", "--format", "gitlab", "Dockerfile", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == []
    empty = tmp_path / "empty"
    empty.mkdir()
    out = run("--check", "--format", "gitlab", str(empty), cwd=tmp_path)  # no Dockerfile at all
    assert out.returncode == 0 and json.loads(out.stdout) == []


def test_check_exits_1_with_the_report_on_stdout_and_writes_nothing(tmp_path: Path) -> None:
    df = write(tmp_path, LEGACY)
    out = run("--check", "--format", "gitlab", "Dockerfile", cwd=tmp_path)
    assert out.returncode == 1
    assert json.loads(out.stdout)
    assert "---" not in out.stdout  # no diff mixed into the report
    assert df.read_text() == LEGACY


def test_a_file_that_cannot_be_parsed_is_a_major_issue_and_exit_2(tmp_path: Path) -> None:
    write(tmp_path, "FROM debian\nFORM x\n", "bad/Dockerfile")
    write(tmp_path, LEGACY, "good/Dockerfile")
    out = run("--check", "--format", "gitlab", ".", cwd=tmp_path)
    assert out.returncode == 2
    issues = json.loads(out.stdout)
    bad = [i for i in issues if i["location"]["path"] == "bad/Dockerfile"]
    assert [(i["check_name"], i["severity"], i["location"]["lines"]["begin"]) for i in bad] == [("E001", "major", 2)]
    assert "\n" not in bad[0]["description"] and "FORM" in bad[0]["description"]
    assert any(i["location"]["path"] == "good/Dockerfile" for i in issues)  # the other files are still reported
    assert "bad/Dockerfile:2:1:" in out.stderr  # and the job log says what failed


def test_to_gitlab_without_line_text_falls_back_to_the_line_number() -> None:
    change = {"code": "HY009", "title": "t", "safety": "safe", "message": "m", "applied": True,
              "range": {"start": {"line": 2, "column": 1}, "end": {"line": 2, "column": 5}}, "edit": None}
    files = [{"path": "./x/Dockerfile", "status": "changed", "changes": [change], "suggestions": []}]
    one = json.loads(to_gitlab(files))
    assert one[0]["location"] == {"path": "x/Dockerfile", "lines": {"begin": 2}}
    assert json.loads(to_gitlab(files)) == one
    with_text = json.loads(to_gitlab(files, {"./x/Dockerfile": {2: "MAINTAINER me"}}))
    assert with_text[0]["fingerprint"] != one[0]["fingerprint"]
    assert to_gitlab([]) == "[]\n"
