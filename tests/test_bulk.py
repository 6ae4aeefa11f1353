"""Bulk migration: many files below directories, in parallel, with a summary and reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

LEGACY = "FROM python:3.12-slim\nMAINTAINER Ops <ops@example.com>\nCMD [\"python\"]\n"
CLEAN = "FROM scratch\nCOPY app /app\n"


def run(*args: str, cwd: Path):
    env = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
    env["NO_COLOR"] = "1"
    return subprocess.run([sys.executable, "-m", "refactor", *args], cwd=cwd, capture_output=True, text=True, env=env)


def tree(root: Path, n: int = 12) -> list[Path]:
    files = []
    for i in range(n):
        d = root / f"svc{i % 4}" / f"part{i}"
        d.mkdir(parents=True, exist_ok=True)
        name = ["Dockerfile", "Dockerfile.dev", "api.Dockerfile", "Containerfile"][i % 4]
        (d / name).write_text(LEGACY if i % 3 else CLEAN)
        files.append(d / name)
    return files


def test_parallel_run_writes_every_file_and_matches_a_serial_run(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    tree(a)
    tree(b)
    one = run("--write", "--select", "HY009", "-j", "1", "a", cwd=tmp_path)
    two = run("--write", "--select", "HY009", "-j", "2", "b", cwd=tmp_path)
    assert one.returncode == two.returncode == 0, two.stderr
    for f in sorted(a.rglob("*")):
        if f.is_file():
            assert f.read_text() == (b / f.relative_to(a)).read_text()
            assert "MAINTAINER" not in f.read_text()


def test_summary_table_counts_files_and_changes_per_rule(tmp_path: Path) -> None:
    tree(tmp_path)
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "Dockerfile").write_text("FROM a\nCMD [1]\n")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "Dockerfile").write_text("# nothing\n")
    out = run("--check", "--select", "HY009", "-j", "2", ".", cwd=tmp_path)
    assert out.returncode == 2  # the worst wins: a file that does not parse
    assert "refactor summary" in out.stderr
    assert "files seen" in out.stderr and " 14\n" in out.stderr
    assert "HY009" in out.stderr and "no instructions" in out.stderr
    assert "broken/Dockerfile:2:5:" in out.stderr


def test_gitignore_exclude_and_configuration_leave_files_out(tmp_path: Path) -> None:
    files = tree(tmp_path)
    legacy = {f for f in files if f.read_text() == LEGACY}
    (tmp_path / ".gitignore").write_text("svc1/\n")
    (tmp_path / "svc2" / ".gitignore").write_text("part2/\n")
    (tmp_path / ".refactor.toml").write_text('exclude = ["svc3/part3"]\n')
    out = run("--write", "--select", "HY009", "--exclude", "svc0/part8", ".", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    left_out = ("svc1/", "svc2/part2/", "svc3/part3/", "svc0/part8/")
    for f in legacy:
        rel = f.relative_to(tmp_path).as_posix()
        still_legacy = "MAINTAINER" in f.read_text()
        assert still_legacy == rel.startswith(left_out), rel


def test_symlinked_directories_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Dockerfile").write_text(LEGACY)
    inside = tmp_path / "inside"
    inside.mkdir()
    (inside / "link").symlink_to(outside, target_is_directory=True)
    (inside / "loop").symlink_to(inside, target_is_directory=True)
    out = run("--write", "--select", "HY009", "inside", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "MAINTAINER" in (outside / "Dockerfile").read_text()


def test_shards_partition_the_files_stably(tmp_path: Path) -> None:
    tree(tmp_path, n=24)
    seen = []
    for k in (1, 2, 3):
        out = run("--check", "--format", "json", "--select", "HY009", "--shard", f"{k}/3", ".", cwd=tmp_path)
        seen.append({f["path"] for f in json.loads(out.stdout)["files"]})
    assert sum(len(s) for s in seen) == 24 and len(set().union(*seen)) == 24
    again = run("--check", "--format", "json", "--select", "HY009", "--shard", "2/3", ".", cwd=tmp_path)
    assert {f["path"] for f in json.loads(again.stdout)["files"]} == seen[1]
    assert run("--shard", "4/3", ".", cwd=tmp_path).returncode == 2


def test_json_and_markdown_reports(tmp_path: Path) -> None:
    tree(tmp_path)
    out = run("--check", "--select", "HY009", "--report", "r.json", "--report-md", "r.md", ".", cwd=tmp_path)
    assert out.returncode == 1
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["summary"]["files"] == 12 and report["summary"]["changed"] == 8
    changed = [f for f in report["files"] if f["status"] == "changed"]
    assert changed and changed[0]["changes"][0]["code"] == "HY009" and changed[0]["changes"][0]["range"]["start"]["line"] == 2
    md = (tmp_path / "r.md").read_text()
    assert md.startswith("## Dockerfile refactoring") and "| HY009 | 8 |" in md


def test_compose_build_context_is_the_context_rules_read(tmp_path: Path) -> None:
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "api.Dockerfile").write_text("FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\n")
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "package.json").write_text("{}\n")
    (tmp_path / "api" / "package-lock.json").write_text("{}\n")
    (tmp_path / "compose.yaml").write_text("services:\n  api:\n    build:\n      context: api\n      dockerfile: ../docker/api.Dockerfile\n")
    out = run("--write", "--select", "CO001", ".", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "COPY package.json package-lock.json ./" in (tmp_path / "docker" / "api.Dockerfile").read_text()


def test_a_symlink_loop_under_ignore_rules_is_skipped_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").symlink_to("Dockerfile")
    (tmp_path / ".gitignore").write_text("build/\n")
    for extra in ([], ["--exclude", "x"]):
        out = run("--check", *extra, str(tmp_path), cwd=tmp_path.parent)
        assert out.returncode == 0 and "Traceback" not in out.stderr
        assert "skipped: symbolic link" in out.stderr


def test_shards_partition_skipped_files_too(tmp_path: Path) -> None:
    tree(tmp_path, n=12)
    for i in range(6):
        (tmp_path / f"link{i}.Dockerfile").symlink_to(tmp_path / "svc0" / "part0" / "Dockerfile")
    total = []
    for k in (1, 2, 3):
        out = run("--check", "--format", "json", "--select", "HY009", "--shard", f"{k}/3", ".", cwd=tmp_path)
        total += [f["path"] for f in json.loads(out.stdout)["files"]]
    assert len(total) == len(set(total)) == 18


NODE = "FROM node:20-slim\nWORKDIR /app\nCOPY package.json ./\nRUN npm install\nCOPY . .\nCMD [\"node\", \"index.js\"]\n"


def test_dockerfiles_sharing_a_context_get_one_dockerignore_shown_and_written_once(tmp_path: Path) -> None:
    for i in range(6):  # enough files for worker processes: each proposes the file, the parent writes it once
        d = tmp_path / f"svc{i}"
        d.mkdir()
        (d / "package.json").write_text('{"name": "x"}\n')
        (d / ".gitignore").write_text("node_modules\n")
        (d / "Dockerfile").write_text(NODE)
        (d / "Dockerfile.dev").write_text(NODE.replace("index.js", "dev.js"))
    diff = run("--diff", "--select", "CX001", "-j", "2", ".", cwd=tmp_path)
    assert diff.stdout.count("+++ b/svc0/.dockerignore\n") == 1
    assert diff.stdout.count("CX001 a new .dockerignore") == 12  # each Dockerfile reports the change
    out = run("--write", "--select", "CX001", "-j", "2", ".", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    for i in range(6):
        assert (tmp_path / f"svc{i}" / ".dockerignore").read_text() == ".git\nnode_modules\n"
    assert run("--check", "--select", "CX001", ".", cwd=tmp_path).returncode == 0


def test_dockerfiles_of_one_context_that_disagree_get_no_dockerignore(tmp_path: Path) -> None:
    from refactor.engine.engine import Change, Range, TextEdit
    from refactor.runner import FileOutcome, Request, _second_files

    ignore = str(tmp_path / ".dockerignore")

    def outcome(name: str, text: str) -> FileOutcome:
        change = Change("CX001", "t", "review", "m", Range(1, 1, 1, 1), TextEdit(Range(1, 1, 1, 1), text), path=ignore)
        return FileOutcome(str(tmp_path / name), "changed", 0, diff="", changes=[change], files={ignore: (None, text)})

    a, b = outcome("Dockerfile", ".git\n"), outcome("Dockerfile.dev", ".git\nnode_modules\n")
    _second_files([a, b], Request(mode="write"))
    assert not (tmp_path / ".dockerignore").exists()
    assert a.files == b.files == {} and a.changes == b.changes == []
    assert a.status == "unchanged" and "different contents" in a.skipped[0][1]
