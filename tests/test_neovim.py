"""End to end in a real editor: Neovim (Debian's 0.7.2, headless) with docs/editors/neovim-lsp.lua
starts `refactor lsp`, opens a corpus Dockerfile, waits for the diagnostics, applies "Apply all
safe and review fixes" and writes the file, which must then equal the command line's output.
`.ci/run` installs Neovim; without it the test skips."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls")

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "docs" / "editors" / "neovim-lsp.lua"
DRIVER = Path(__file__).with_name("nvim_e2e.lua")


@pytest.mark.skipif(shutil.which("nvim") is None, reason="Neovim is not installed (.ci/run installs it)")
def test_neovim_applies_the_safe_and_review_fixes_like_the_command_line(tmp_path: Path) -> None:
    app = tmp_path / "app"
    shutil.copytree(ROOT / "corpus" / "apps" / "python-uv", app, ignore=shutil.ignore_patterns("expected", "case.toml"))
    dockerfile = app / "Dockerfile"
    original = dockerfile.read_text()
    log = tmp_path / "nvim.log"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "REFACTOR_NVIM_LOG": str(log), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_STATE_HOME": str(tmp_path / "state")}
    done = subprocess.run(
        ["nvim", "--headless", "--clean", "--cmd", f"luafile {CONFIG}", "-c", f"luafile {DRIVER}", str(dockerfile)],
        cwd=app, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    report = log.read_text() if log.exists() else ""
    assert done.returncode == 0, f"{report}\n{done.stdout}\n{done.stderr}"
    assert "WROTE" in report
    assert {line.split()[1] for line in report.splitlines() if line.startswith("DIAGNOSTIC")} >= {"BK001", "MS002"}  # pip gets a cache mount (BK001), not --no-cache-dir
    expected = subprocess.run([sys.executable, "-m", "refactor", "-", "--stdin-filename", str(dockerfile)],
                              input=original, capture_output=True, text=True).stdout
    assert dockerfile.read_text() == expected
