"""PN002 against a real registry server on 127.0.0.1 (never a mock, never outside)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from refactor.engine.engine import refactor
from refactor.model import Options

from registry import BINARY, push_image, registry

pytestmark = pytest.mark.skipif(BINARY is None, reason="docker-registry is not installed (.ci/run installs it)")


def test_tag_is_pinned_to_the_digest_the_registry_serves(tmp_path: Path) -> None:
    with registry(tmp_path) as host:
        digest = push_image(host, "team/app", "1.0")
        text = f"FROM {host}/team/app:1.0 AS base\nRUN echo\nFROM base\n"
        result = refactor(text, select=["PN002"], options=Options(pin_digests=True))
    assert result.code == f"FROM {host}/team/app:1.0@{digest} AS base\nRUN echo\nFROM base\n"
    (change,) = result.changes
    assert change.code == "PN002" and change.safety == "review" and change.line == 1


def test_a_moved_tag_gives_the_new_digest_and_a_pinned_one_is_left_alone(tmp_path: Path) -> None:
    with registry(tmp_path) as host:
        push_image(host, "app", "2", marker="old")
        new = push_image(host, "app", "2", marker="new")
        text = f"FROM {host}/app:2\nFROM {host}/app:2@{new}\n"
        result = refactor(text, select=["PN002"], options=Options(pin_digests=True))
    assert result.code.splitlines() == [f"FROM {host}/app:2@{new}", f"FROM {host}/app:2@{new}"]


def test_unknown_tag_and_unreachable_registry_are_reported_not_guessed(tmp_path: Path) -> None:
    with registry(tmp_path) as host:
        result = refactor(f"FROM {host}/nope:1\n", select=["PN002"], options=Options(pin_digests=True))
    assert result.code == f"FROM {host}/nope:1\n"
    assert any("no such tag" in reason for code, reason in result.skipped)
    # the registry is gone now: the same file is reported as unreachable
    result = refactor(f"FROM {host}/nope:1\n", select=["PN002"], options=Options(pin_digests=True))
    assert result.code == f"FROM {host}/nope:1\n"
    assert any(code == "PN002" and "cannot resolve" in reason for code, reason in result.skipped)


def test_without_the_flag_nothing_goes_to_the_network(tmp_path: Path) -> None:
    result = refactor("FROM 127.0.0.1:1/app:1.0\n", select=["PN002"])
    assert result.code == "FROM 127.0.0.1:1/app:1.0\n" and result.skipped == []


def test_cli_flag_pins_digests(tmp_path: Path) -> None:
    with registry(tmp_path / "reg") as host:
        digest = push_image(host, "svc", "3.1")
        df = tmp_path / "Dockerfile"
        df.write_text(f"FROM {host}/svc:3.1\nCMD [\"svc\"]\n")
        out = subprocess.run([sys.executable, "-m", "refactor", "--write", "--pin-digests", "--select", "PN", str(df)],
                             capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert df.read_text() == f"FROM {host}/svc:3.1@{digest}\nCMD [\"svc\"]\n"
