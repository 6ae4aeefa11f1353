"""benchmarks/realworld.py over a tiny synthetic repository: materialised from its git dir, no network."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "realworld.py"

APP = """FROM python:3.12-slim
MAINTAINER me@example.com
WORKDIR /app
COPY . /app
RUN pip install flask
CMD python app.py
"""
TOOL = """FROM debian:bookworm
RUN apt-get update && apt-get install -y curl
CMD ["sleep", "infinity"]
"""


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                               "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(cwd), "PATH": "/usr/bin:/bin"}
                          ).stdout.strip()


@pytest.fixture
def repo(tmp_path):
    if subprocess.run(["git", "--version"], capture_output=True).returncode != 0:
        pytest.skip("git is not installed")
    work = tmp_path / "repos" / "someone+demo"
    (work / "app").mkdir(parents=True)
    (work / "tool").mkdir()
    (work / "app" / "Dockerfile").write_text(APP)
    (work / "app" / "app.py").write_text("print('hello')\n")
    (work / "tool" / "Dockerfile").write_text(TOOL)
    _git(work, "init", "-q")
    _git(work, "add", ".")
    _git(work, "commit", "-q", "-m", "demo")
    commit = _git(work, "rev-parse", "HEAD")
    listing = tmp_path / "list.txt"
    listing.write_text(f"# demo\nsomeone/demo@{commit}:app/Dockerfile\nsomeone/demo@{commit}:tool/Dockerfile  # a tool\n"
                       f"someone/absent@{commit}:Dockerfile\n")
    return tmp_path, listing


def test_sheet_and_json_from_a_git_dir(repo):
    tmp, listing = repo
    sheet, raw = tmp / "sheet.md", tmp / "raw.json"
    done = subprocess.run([sys.executable, str(SCRIPT), str(listing), "--trees", str(tmp / "trees"),
                           "--repos", str(tmp / "repos"), "--out", str(sheet), "--json", str(raw), "-q"],
                          capture_output=True, text=True, cwd=tmp)
    assert done.returncode == 0, done.stderr
    assert "files 3" in done.stdout and "parsed 2" in done.stdout
    data = json.loads(raw.read_text())
    s = data["summary"]
    assert (s["files"], s["parsed"], s["missing"], s["crashes"]) == (3, 2, 1, 0)
    assert s["changed_default"] >= 1
    assert s["per_rule"]["HY009"]["default"] == 1
    app = next(f for f in data["files"] if f["path"] == "app/Dockerfile")
    assert app["ecosystem"] == "python" and app["runs_program"]
    assert any(c["code"] == "HY009" and c["line"] == 2 for c in app["levels"]["default"]["changes"])
    text = sheet.read_text()
    assert "## Summary" in text and "## Split rate" in text
    assert "HY009 line 2: MAINTAINER is deprecated" in text
    assert "```diff" in text  # US001 or a split shows its hunk
    assert "MS002: " in text  # the slim base's split is declined, and the skip listed under its file
    assert "someone/absent" in text and "missing" in text
