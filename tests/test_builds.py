"""Real builds: `refactor verify` on every corpus/apps case whose ecosystem has a stand-in.

Buildah builds and Podman runs, on local stand-ins of the base images (tests/standins.py,
built once per work directory and reused). For each case the original and the refactored
Dockerfile are built, both images are started and probed the same way (the case's HTTP
endpoint, or a batch job's exit code and output), and:

- the refactored image behaves the same (`refactor verify` exits 0);
- where the refactor added a user, the refactored image runs as non-root (the uid of its
  running process, read from /proc, for services);
- where it added a health check, the check passes;
- both final image sizes and cached rebuild times are recorded in
  `$REFACTOR_LAB/builds.json` (benchmarks/images.py prints the same figures as a table).

Run alone with `pytest -m builds`. Without root or the tools the tests skip, unless
REFACTOR_REQUIRE_BUILDS=1 (set by .ci/run) makes that a failure.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import standins  # noqa: E402
from refactor.cli import main as cli  # noqa: E402
from refactor.syntax import parse  # noqa: E402
from refactor.verify import EXIT_DIFFERS, EXIT_INPUT, EXIT_SAME, Probe, verify  # noqa: E402
from test_apps import CASES, spec  # noqa: E402

pytestmark = pytest.mark.builds
BUILT = [c for c in CASES if spec(c).get("built", True)]


@pytest.fixture
def lab_env(lab, monkeypatch):
    for key, value in lab.env().items():
        monkeypatch.setenv(key, value)
    return lab


def probe_of(case: Path) -> Probe:
    s = spec(case)
    return Probe.http(f"{s['port']}{s.get('path', '/')}") if s.get("probe") == "http" else Probe()


def _final_stage_text(text: str) -> list:
    df = parse(text)
    return list(df.stages[-1].instructions)


def _record(case: Path, report) -> None:
    path = standins.LAB / "builds.json"
    data = json.loads(path.read_text()) if path.is_file() else {}
    data[case.name] = {"original": report.original.as_dict(), "refactored": report.refactored.as_dict(),
                       "changed_file": report.changed_file, "recorded": time.strftime("%Y-%m-%dT%H:%M:%S")}
    path.write_text(json.dumps(data, indent=2, sort_keys=True))


def test_every_ecosystem_with_a_stand_in_has_a_built_case() -> None:
    assert {spec(c)["ecosystem"] for c in BUILT} >= {"node", "python", "go", "rust", "static", "c"}


@pytest.mark.parametrize("case", BUILT, ids=lambda c: c.name)
def test_refactored_image_behaves_the_same(case: Path, lab_env) -> None:
    level = spec(case).get("level")
    report = verify(str(case / "Dockerfile"), probe=probe_of(case), builder="buildah", level=level)
    _record(case, report)
    assert report.refactored_text == (case / "expected").read_text(encoding="utf-8")
    assert report.exit_code == EXIT_SAME, report.verdict
    assert report.original.outcome == report.refactored.outcome
    if spec(case).get("probe") == "http":
        assert report.refactored.outcome[:2] == ("http", 200), report.refactored.outcome_text

    expected = (case / "expected").read_text(encoding="utf-8")
    final = _final_stage_text(expected)
    adds_user = any(i.keyword == "USER" for i in final) or ":nonroot" in final[0].arguments[0]
    if adds_user:
        assert report.refactored.user not in ("root", "0", "0:0"), report.refactored.user
        if report.refactored.run_uid is not None:
            assert report.refactored.run_uid != 0
    if any(i.keyword == "HEALTHCHECK" for i in final):
        assert report.refactored.healthcheck == "passes"
    assert report.original.size and report.refactored.size


def test_verify_leaves_no_image_or_container_behind(lab_env) -> None:
    case = next(c for c in BUILT if c.name == "python-pip-batch")
    before = set(lab_env.run("podman", "images", "-a", "-q", "--no-trunc").stdout.split())
    report = verify(str(case / "Dockerfile"), builder="buildah")
    assert report.exit_code == EXIT_SAME
    after = set(lab_env.run("podman", "images", "-a", "-q", "--no-trunc").stdout.split())
    assert after - before == set()
    containers = lab_env.run("podman", "ps", "-a", "--format", "{{.Names}}").stdout.split()
    assert not [c for c in containers if c.startswith("refactor-verify-")]


def test_a_probe_that_tells_the_images_apart_fails_the_verification(lab_env, capsys) -> None:
    # the refactored image runs as a non-root user: a probe asking for the uid sees the difference
    case = next(c for c in BUILT if c.name == "python-uv")
    code = cli(["verify", str(case / "Dockerfile"), "--builder", "buildah", "-q",
                "--probe", "podman exec $CONTAINER id -u"])
    out = capsys.readouterr().out
    assert code == EXIT_DIFFERS
    assert "behaviour differs" in out and "printed '0'" in out


def test_a_base_image_that_cannot_be_had_is_a_clear_error(lab_env, tmp_path, capsys) -> None:
    (tmp_path / "app.py").write_text("print('hi')\n")
    (tmp_path / "Dockerfile").write_text("FROM localhost:1/nowhere/python:3.12\nCOPY . /app\n"
                                         "RUN pip install flask\nCMD [\"python\", \"/app/app.py\"]\n")
    code = cli(["verify", str(tmp_path / "Dockerfile"), "--builder", "buildah", "-q"])
    err = capsys.readouterr().err
    assert code == EXIT_INPUT
    assert "base image localhost:1/nowhere/python:3.12 cannot be had" in err


def test_cli_prints_the_table_and_exits_0_for_a_batch_job(lab_env, capsys) -> None:
    case = next(c for c in BUILT if c.name == "c-make")
    code = cli(["verify", str(case / "Dockerfile"), "--builder", "buildah", "-q"])
    out = capsys.readouterr().out
    assert code == EXIT_SAME, out
    for row in ("build", "probe", "final image size", "layers", "user", "health check", "build time",
                "cached rebuild"):
        assert row in out
    assert "same behaviour" in out
