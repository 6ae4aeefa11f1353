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


def test_a_blob_the_snapshot_lacks_is_left_out_not_the_whole_tree(repo):
    tmp, listing = repo
    work = tmp / "repos" / "someone+demo"
    (work / "big.bin").write_bytes(b"large file a snapshot leaves out")
    _git(work, "add", "big.bin")
    _git(work, "commit", "-q", "-m", "big")
    commit = _git(work, "rev-parse", "HEAD")
    blob = _git(work, "rev-parse", "HEAD:big.bin")
    (work / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    listing.write_text(f"someone/demo@{commit}:app/Dockerfile\n")
    raw = tmp / "raw.json"
    done = subprocess.run([sys.executable, str(SCRIPT), str(listing), "--trees", str(tmp / "trees"),
                           "--repos", str(tmp / "repos"), "--out", str(tmp / "s.md"), "--json", str(raw), "-q"],
                          capture_output=True, text=True, cwd=tmp)
    assert done.returncode == 0, done.stderr
    s = json.loads(raw.read_text())["summary"]
    assert (s["files"], s["parsed"], s["missing"]) == (1, 1, 0)


BUILDS = ROOT / "benchmarks" / "realworld_builds.py"


def test_builds_dry_run_picks_python_and_node_files_with_stand_ins(tmp_path):
    tree = tmp_path / "trees" / "someone+demo"
    for folder, text in (("app", APP), ("tool", TOOL),
                         ("alpine", APP.replace("python:3.12-slim", "python:3.12-alpine")),
                         ("web", "FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm install\nEXPOSE 3000\n"
                                 "CMD [\"node\", \"server.js\"]\n")):
        (tree / folder).mkdir(parents=True)
        (tree / folder / "Dockerfile").write_text(text)
    (tree / "app" / "app.py").write_text("print('hello')\n")
    (tree / "web" / "server.js").write_text("require('http').createServer((q, s) => s.end('hi')).listen(3000)\n")
    (tree / "web" / "package.json").write_text('{"name": "web", "version": "1.0.0"}\n')
    listing = tmp_path / "list.txt"
    listing.write_text("".join(f"someone/demo@{'0' * 40}:{f}/Dockerfile\n" for f in ("app", "tool", "alpine", "web")))
    done = subprocess.run([sys.executable, str(BUILDS), str(listing), "--trees", str(tmp_path / "trees"), "--dry-run"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    picked = done.stdout.splitlines()
    # the files a GET can compare come first
    assert [line.split()[0].split(":")[-1] for line in picked] == ["web/Dockerfile", "app/Dockerfile"]
    assert "port=3000" in picked[0]  # the one EXPOSE, or the added HEALTHCHECK's port


def test_probe_port_prefers_the_added_health_check():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    sys.path.insert(0, str(ROOT / "tests"))
    import realworld_builds

    new = 'HEALTHCHECK CMD wget -qO- "http://127.0.0.1:${PORT:-8080}/" || exit 1\n'
    assert realworld_builds.probe_port("EXPOSE 80\n", new) == 8080
    assert realworld_builds.probe_port("EXPOSE 80 443\n", "") is None
    assert realworld_builds.probe_port("EXPOSE 5000/tcp\n", "HEALTHCHECK NONE\n") == 5000


def test_probe_port_reads_the_probe_of_a_health_check_over_several_lines():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    sys.path.insert(0, str(ROOT / "tests"))
    import realworld_builds

    node = ("HEALTHCHECK --interval=30s \\\n    --retries=3 \\\n    CMD [\"node\", \"-e\", \"require('net')"
            ".connect(Number(process.env.PORT || 8080), '127.0.0.1')\"]\n")
    assert realworld_builds.probe_port("", node) == 8080
    py = "HEALTHCHECK \\\n    CMD [\"python\", \"-c\", \"import socket; socket.create_connection(('127.0.0.1', 80), timeout=3)\"]\n"
    assert realworld_builds.probe_port("EXPOSE 5000\n", py) == 80
    assert realworld_builds.probe_port("", 'HEALTHCHECK CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9292"]\n') == 9292
