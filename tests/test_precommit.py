"""The pre-commit hooks (.pre-commit-hooks.yaml), run by the real `pre-commit` in throwaway git repositories.

The hook repository is a snapshot of this checkout's working tree (tracked files plus new,
not ignored ones) committed into a temporary repository: on a clean clone that is the
repository itself; in a checkout with uncommitted work it is that work, which is what the
tests are meant to judge (`pre-commit try-repo` on the checkout itself would take HEAD plus
changes to tracked files only, so a new hooks file would be missing).

`language: python` makes pre-commit install the repository into a fresh virtual environment
with pip (about 6-9 s here). The `pre-commit run` cases share one PRE_COMMIT_HOME for the
session, so that environment is built once; `try-repo` always builds its own (it keeps its
store in a temporary directory), so only one case uses it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytest.importorskip("pre_commit")

ROOT = Path(__file__).resolve().parents[1]
HOOKS = ROOT / ".pre-commit-hooks.yaml"

from samples import GOOD, LEGACY  # noqa: E402
NOT_A_DOCKERFILE = "# How we build\n\nRun `docker build .` in this folder.\n"

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _env(home: Path | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "PRE_COMMIT_HOME") and not k.startswith("GIT_")}
    env.update({"NO_COLOR": "1", "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"})
    if home is not None:
        env["PRE_COMMIT_HOME"] = str(home)
    return env


def git(*args: str, cwd: Path) -> str:
    out = subprocess.run(["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args], cwd=cwd,
                         capture_output=True, text=True, env=_env())
    assert out.returncode == 0, f"git {' '.join(args)}: {out.stderr}"
    return out.stdout


def init_repo(path: Path, files: dict[str, str]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git("init", "-q", cwd=path)
    git("config", "user.email", "tests@example.com", cwd=path)
    git("config", "user.name", "Tests", cwd=path)
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_bytes(text.encode())
    git("add", "-A", cwd=path)
    git("commit", "-q", "-m", "init", cwd=path)
    return path


def pre_commit(*args: str, cwd: Path, home: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pre_commit", *args, "--color", "never"], cwd=cwd,
                          capture_output=True, text=True, env=_env(home), timeout=900)


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory) -> tuple[Path, str]:
    """(path, commit) of a repository holding this checkout's working tree."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, env=_env())
    if listed.returncode != 0:
        pytest.skip("the project is not a git checkout")
    dest = tmp_path_factory.mktemp("hook-repo")
    for name in filter(None, listed.stdout.decode().split("\0")):
        src = ROOT / name
        if not (src.is_file() or src.is_symlink()):
            continue  # deleted from the working tree
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest / name, follow_symlinks=False)
    assert (dest / ".pre-commit-hooks.yaml").is_file()
    git("init", "-q", cwd=dest)
    git("add", "-A", cwd=dest)
    git("-c", "user.email=tests@example.com", "-c", "user.name=Tests", "commit", "-q", "-m", "snapshot", cwd=dest)
    return dest, git("rev-parse", "HEAD", cwd=dest).strip()


@pytest.fixture(scope="session")
def home(tmp_path_factory) -> Path:
    """One pre-commit store for the session: the hook environment is installed once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def use_hooks(repo: Path, hook_repo: tuple[Path, str], *hooks: dict) -> None:
    path, rev = hook_repo
    config = {"repos": [{"repo": str(path), "rev": rev, "hooks": list(hooks)}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    git("add", ".pre-commit-config.yaml", cwd=repo)
    git("commit", "-q", "-m", "pre-commit", cwd=repo)


def refactor_stdin(text: str, *args: str, cwd: Path) -> str:
    """What `refactor -` makes of `text`: the reference for what the fix hook writes."""
    out = subprocess.run([sys.executable, "-m", "refactor", *args, "-", "--stdin-filename", "Dockerfile"], cwd=cwd,
                         input=text, capture_output=True, text=True, env=_env())
    assert out.returncode == 0, out.stderr
    return out.stdout


# --- the manifest ------------------------------------------------------------------------------


def test_manifest_is_valid_for_pre_commit_and_names_both_hooks() -> None:
    from pre_commit.clientlib import load_manifest

    hooks = {h["id"]: h for h in load_manifest(str(HOOKS))}
    assert set(hooks) == {"refactor", "refactor-fix"}
    assert hooks["refactor"]["entry"] == "refactor --check --diff"  # --check alone no longer prints the diff
    assert hooks["refactor-fix"]["entry"] == "refactor --write"
    for h in hooks.values():
        assert h["language"] == "python" and h["pass_filenames"] is True and h["args"] == []
    assert hooks["refactor"]["files"] == hooks["refactor-fix"]["files"]
    assert "--safe-only" in HOOKS.read_text()  # documented for repositories that want only safe fixes


@pytest.mark.parametrize("path, matches", [
    ("Dockerfile", True), ("svc/Dockerfile", True), ("Dockerfile.dev", True), ("deploy/Dockerfile.prod.arm64", True),
    ("api.Dockerfile", True), ("svc/api.dockerfile", True), ("Containerfile", True), ("Containerfile.ci", True),
    # only sharing the prefix: documents, Docker's per-Dockerfile ignore file, editor and patch leftovers
    ("Dockerfile.md", False), ("docs/Dockerfile.dev.md", False), ("Dockerfile.dockerignore", False),
    ("api.Dockerfile.dockerignore", False), ("Dockerfile.txt", False), ("Dockerfile.orig", False),
    ("Dockerfile.swp", False),
    # other names
    ("MyDockerfile", False), ("Dockerfiles/app", False), ("Dockerfile/x", False), ("dockerfile", False),
    ("docker-compose.yml", False), ("api.Dockerfile.md", False),
])
def test_files_pattern(path: str, matches: bool) -> None:
    pattern = re.compile(yaml.safe_load(HOOKS.read_text())[0]["files"])
    assert bool(pattern.search(path)) is matches


def test_files_pattern_agrees_with_discovery_on_dockerfile_names() -> None:
    from refactor.discovery import is_dockerfile_name

    pattern = re.compile(yaml.safe_load(HOOKS.read_text())[0]["files"])
    for name in ("Dockerfile", "Dockerfile.dev", "api.Dockerfile", "api.dockerfile", "Containerfile", "Containerfile.x"):
        assert is_dockerfile_name(name) and pattern.search(f"a/b/{name}")


# --- the hooks, run by pre-commit ----------------------------------------------------------------


@needs_git
def test_refactor_hook_fails_on_a_legacy_dockerfile_and_shows_the_diff(tmp_path: Path, hook_repo, home) -> None:
    repo = init_repo(tmp_path / "repo", {"Dockerfile": LEGACY, "svc/api.Dockerfile": LEGACY,
                                         "docs/Dockerfile.md": NOT_A_DOCKERFILE})
    use_hooks(repo, hook_repo, {"id": "refactor"})
    out = pre_commit("run", "--all-files", cwd=repo, home=home)
    assert out.returncode == 1, out.stdout + out.stderr
    assert re.search(r"refactor \(Dockerfiles\)\.+Failed", out.stdout)
    assert "- hook id: refactor\n- exit code: 1" in out.stdout
    for path in ("Dockerfile", "svc/api.Dockerfile"):
        assert f"--- a/{path}\n+++ b/{path}\n" in out.stdout
        assert f"{path}:2:1: HY009 " in out.stdout
    assert "-MAINTAINER Ops <ops@example.com>\n" in out.stdout
    assert '+LABEL org.opencontainers.image.authors="Ops <ops@example.com>"\n' in out.stdout
    assert "Dockerfile.md" not in out.stdout  # not handed to the hook
    assert (repo / "Dockerfile").read_text() == LEGACY  # the check writes nothing


@needs_git
def test_both_hooks_pass_on_a_production_grade_dockerfile(tmp_path: Path, hook_repo, home) -> None:
    # production grade: with the .dockerignore that keeps .git out of the context (CX001 proposes it)
    repo = init_repo(tmp_path / "repo", {"Dockerfile": GOOD, "main.py": "print('hello')\n", ".dockerignore": ".git\n"})
    use_hooks(repo, hook_repo, {"id": "refactor"}, {"id": "refactor-fix"})
    out = pre_commit("run", "--all-files", cwd=repo, home=home)
    assert out.returncode == 0, out.stdout + out.stderr
    assert re.search(r"refactor \(Dockerfiles\)\.+Passed", out.stdout)
    assert re.search(r"refactor --write \(Dockerfiles\)\.+Passed", out.stdout)
    assert (repo / "Dockerfile").read_text() == GOOD


@needs_git
def test_refactor_fix_rewrites_the_file_stops_the_commit_and_then_passes(tmp_path: Path, hook_repo, home) -> None:
    repo = init_repo(tmp_path / "repo", {"Dockerfile": LEGACY})
    use_hooks(repo, hook_repo, {"id": "refactor-fix"})
    out = pre_commit("run", "--all-files", cwd=repo, home=home)
    assert out.returncode == 1, out.stdout + out.stderr
    assert re.search(r"refactor --write \(Dockerfiles\)\.+Failed", out.stdout)
    assert "- files were modified by this hook" in out.stdout
    fixed = (repo / "Dockerfile").read_text()
    assert fixed != LEGACY
    assert fixed == refactor_stdin(LEGACY, cwd=repo)
    again = pre_commit("run", "--all-files", cwd=repo, home=home)
    assert again.returncode == 0, again.stdout + again.stderr
    assert (repo / "Dockerfile").read_text() == fixed
    # and the gate agrees the fixed file is done
    use_hooks(repo, hook_repo, {"id": "refactor"})
    gate = pre_commit("run", "--all-files", cwd=repo, home=home)
    assert gate.returncode == 0, gate.stdout + gate.stderr


@needs_git
def test_refactor_fix_with_safe_only_applies_only_safe_fixes(tmp_path: Path, hook_repo, home) -> None:
    repo = init_repo(tmp_path / "repo", {"Dockerfile": LEGACY})
    use_hooks(repo, hook_repo, {"id": "refactor-fix", "args": ["--safe-only"]})
    out = pre_commit("run", "--all-files", cwd=repo, home=home)
    assert out.returncode == 1, out.stdout + out.stderr
    fixed = (repo / "Dockerfile").read_text()
    assert fixed == refactor_stdin(LEGACY, "--safe-only", cwd=repo)
    assert "LABEL org.opencontainers.image.authors" in fixed
    assert "USER" not in fixed  # adding a user is a review change


@needs_git
def test_try_repo_runs_the_hook_from_the_repository(tmp_path: Path, hook_repo) -> None:
    """`pre-commit try-repo` (how one tries the hooks before adding them) on the committed manifest."""
    repo = init_repo(tmp_path / "repo", {"Dockerfile": LEGACY, "Containerfile": GOOD, "main.py": "print()\n"})
    out = pre_commit("try-repo", str(hook_repo[0]), "refactor", "--files", "Dockerfile", "Containerfile", cwd=repo)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "--- a/Dockerfile\n+++ b/Dockerfile\n" in out.stdout
    assert "--- a/Containerfile" not in out.stdout  # production-grade already: nothing to change there
