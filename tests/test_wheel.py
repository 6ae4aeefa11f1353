"""The grammar ships inside the wheel: build it, install it alone, parse with it."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_carries_the_grammar_and_parses_in_a_fresh_environment(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(ROOT)],
        check=True,
    )
    (wheel,) = dist.glob("dockerfile_refactor-*.whl")
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert "refactor/grammar/dockerfile.lark" in names
    assert "refactor/syntax/dockerfile_table.json" in names  # the parse table: nothing is built at run time

    env = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env)
    python = env / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True)
    sample = tmp_path / "Dockerfile"
    sample.write_text("FROM python:3.12-slim\nRUN pip install flask \\\n  gunicorn\nCMD [\"gunicorn\"]\n")
    script = (
        "import refactor, sys; "
        "df = refactor.parse(open(sys.argv[1]).read()); "
        "print(df.code == open(sys.argv[1]).read(), [i.keyword for i in df.instructions], refactor.__file__)"
    )
    out = subprocess.run(
        [str(python), "-c", script, str(sample)],
        check=True, capture_output=True, text=True, cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "REFACTOR_CACHE_DIR": str(tmp_path / "cache")},
    ).stdout
    assert out.startswith("True ['FROM', 'RUN', 'CMD']")
    assert str(env) in out  # the installed copy, not the checkout
    cli = subprocess.run([str(env / "bin" / "refactor"), "parse", str(sample)], capture_output=True, text=True)
    assert cli.returncode == 0 and "3 instructions" in cli.stdout
