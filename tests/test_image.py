"""The tool's own image: the root Dockerfile passes refactor's own check, builds, and the
container answers exactly as the CLI on the machine does.

The plain tests need nothing. Those marked `builds` build the root Dockerfile with Buildah on
the local stand-ins of the base images (tests/standins.py) and run the image with Podman;
without root or the tools they skip, unless REFACTOR_REQUIRE_BUILDS=1 (set by .ci/run).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from refactor.cli import main as cli  # noqa: E402
from refactor.model.context import BuildContext  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
APPS = ROOT / "corpus" / "apps"
# one case per ecosystem is enough: the point is the container, not the rules
CASES = ("python-uv", "node-npm-build", "go-static")


# --- no build -------------------------------------------------------------------------------


def test_root_dockerfile_passes_its_own_check(monkeypatch, capsys) -> None:
    monkeypatch.chdir(ROOT)
    code = cli(["--check", "Dockerfile"])
    out = capsys.readouterr()
    assert code == 0, out.out + out.err


def test_dockerignore_keeps_what_the_wheel_build_reads_and_little_else() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    context = BuildContext.at(ROOT)
    needed = ["pyproject.toml", project["project"]["readme"], "refactor/cli.py",
              "refactor/syntax/dockerfile_table.json", "refactor/data/pins.toml"]
    needed += [f"{d}/__init__.py" for d in project["tool"]["setuptools"]["package-dir"].values()]
    needed += ["grammar/dockerfile.lark"]
    for rel in needed:
        assert (ROOT / rel).is_file(), rel
        assert not context.ignored(rel), f".dockerignore leaves out {rel}, which the wheel build reads"
    for rel in (".git/HEAD", ".venv/bin/python", "corpus/apps/python-uv/Dockerfile", "tests/test_image.py",
                "benchmarks/bulk.py", "build/lib/refactor/cli.py", "dist/x.whl",
                "dockerfile_refactor.egg-info/PKG-INFO", "refactor/__pycache__/cli.cpython-312.pyc",
                "Dockerfile", ".hypothesis/examples/x"):
        assert context.ignored(rel), f".dockerignore keeps {rel} in the build context"


# --- real builds ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def image(lab):
    tag = f"localhost/refactor-image-test:{os.getpid()}"
    started = time.monotonic()
    built = lab.run("buildah", "build", "--pull=never", "--layers", "--format", "docker",
                    "-t", tag, "-f", str(ROOT / "Dockerfile"), str(ROOT), check=False)
    took = time.monotonic() - started
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    size = lab.run("podman", "image", "inspect", "--format", "{{.Size}}", tag).stdout.strip()
    print(f"\nrefactor image built in {took:.1f} s, {int(size) / 1e6:.0f} MB")
    try:
        yield tag
    finally:
        lab.run("podman", "rmi", "-f", tag, check=False)


def _container(lab, image: str, *args: str, mount: Path | None = None, stdin: str | None = None,
               entrypoint: str | None = None, user: str | None = None) -> subprocess.CompletedProcess:
    cmd = ["podman", "run", "--rm", "--pull=never"]
    if stdin is not None:
        cmd.append("-i")
    if mount is not None:
        cmd += ["-v", f"{mount}:/work:ro"]
    if entrypoint is not None:
        cmd += ["--entrypoint", entrypoint]
    if user is not None:
        cmd += ["--user", user]
    return lab.run(*cmd, image, *args, check=False, input=stdin)


def _host(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "refactor", *args], cwd=cwd, input=stdin,
                          capture_output=True, text=True, check=False)


@pytest.mark.builds
@pytest.mark.parametrize("mode", ["--diff", "--check"])
@pytest.mark.parametrize("case", CASES)
def test_the_image_on_a_mounted_project_prints_what_the_cli_prints(image, lab, tmp_path, case, mode) -> None:
    # a copy outside the checkout: the host run must not pick up the checkout's [tool.refactor]
    # (config is looked up upward), which the container cannot see either
    project = tmp_path / case
    shutil.copytree(APPS / case, project)
    host = _host(mode, "Dockerfile", cwd=project)
    inside = _container(lab, image, mode, "Dockerfile", mount=project)
    # a real diff to compare; --check names the file and its changes (the diff needs --check --diff)
    first = "--- a/Dockerfile" if mode == "--diff" else "Dockerfile: would change"
    assert host.stdout.startswith(first), host.stdout + host.stderr
    assert (inside.returncode, inside.stdout) == (host.returncode, host.stdout), inside.stderr
    assert inside.stderr == host.stderr


@pytest.mark.builds
def test_the_image_reads_stdin_like_the_cli(image, lab, tmp_path) -> None:
    text = (APPS / "python-uv" / "Dockerfile").read_text(encoding="utf-8")
    empty = tmp_path / "empty"  # as /work in the container: nothing mounted
    empty.mkdir()
    host = _host("-", "--stdin-filename", "Dockerfile", cwd=empty, stdin=text)
    inside = _container(lab, image, "-", "--stdin-filename", "Dockerfile", stdin=text)
    assert host.returncode == 0 and host.stdout != text, host.stderr
    assert (inside.returncode, inside.stdout, inside.stderr) == (host.returncode, host.stdout, host.stderr)


@pytest.mark.builds
def test_the_image_runs_as_non_root_without_compilers_or_leftovers(image, lab) -> None:
    user = lab.run("podman", "image", "inspect", "--format", "{{.Config.User}}", image).stdout.strip()
    assert user not in ("", "root", "0", "0:0"), user
    uid = _container(lab, image, "-u", entrypoint="id")
    assert uid.returncode == 0 and uid.stdout.strip() != "0", uid.stdout + uid.stderr
    compiler = _container(lab, image, "-c", "command -v gcc || command -v cc || command -v g++ || command -v make",
                          entrypoint="sh")
    assert compiler.returncode != 0, f"a compiler in the final image: {compiler.stdout}"
    # the build stage keeps the wheels and the source; pip ran without its cache
    left = _container(lab, image, "-c", "ls -d /wheels /root/.cache/pip /src 2>/dev/null", entrypoint="sh",
                      user="root")
    assert left.stdout.strip() == "", left.stdout


@pytest.mark.builds
def test_the_image_defaults_to_help_and_knows_its_version(image, lab, tmp_path) -> None:
    default = _container(lab, image)
    assert default.returncode == 0 and default.stdout.startswith("usage: refactor"), default.stdout + default.stderr
    workdir = lab.run("podman", "image", "inspect", "--format", "{{.Config.WorkingDir}}", image).stdout.strip()
    assert workdir == "/work"
    assert _container(lab, image, "--version").stdout == _host("--version", cwd=tmp_path).stdout


@pytest.mark.builds
def test_a_rebuild_after_a_source_change_ships_the_new_code(lab, tmp_path) -> None:
    # Buildah's layer cache once kept a stale install (a RUN --mount of the build stage's wheels):
    # the runtime stage now copies the build stage's virtual environment
    context = tmp_path / "src"
    for name in ("pyproject.toml", "README.md", "Dockerfile", ".dockerignore"):
        (context / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, context / name)
    for folder in ("refactor", "grammar"):
        shutil.copytree(ROOT / folder, context / folder, ignore=shutil.ignore_patterns("__pycache__"))
    tag = f"localhost/refactor-image-rebuild:{os.getpid()}"
    try:
        for version in ("0.0.1-first", "0.0.2-second"):
            init = context / "refactor" / "__init__.py"
            init.write_text(re.sub(r'__version__ = "[^"]*"', f'__version__ = "{version}"', init.read_text()))
            built = lab.run("buildah", "build", "--pull=never", "--layers", "--format", "docker", "-t", tag,
                            str(context), check=False)
            assert built.returncode == 0, built.stderr[-2000:]
            assert _container(lab, tag, "--version").stdout.strip() == f"refactor {version}"
    finally:
        lab.run("podman", "rmi", "-f", tag, check=False)
