"""`refactor verify` without building anything: arguments, builder detection, the probe, the
rebuild's source change and the table. The builds themselves are in test_builds.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from refactor.cli import main as cli
from refactor.verify import (
    EXIT_DIFFERS, EXIT_INPUT, EXIT_SAME, Builder, ImageReport, Probe, Report, VerifyError, _change_one_line,
    _judge, _source_to_change, base_images, detect_builder, render, verify,
)

APPS = Path(__file__).resolve().parents[1] / "corpus" / "apps"


def test_http_probe_takes_port_and_path() -> None:
    probe = Probe.http("8080/health")
    assert (probe.kind, probe.port, probe.path) == ("http", 8080, "/health")
    assert Probe.http("3000").path == "/"


@pytest.mark.parametrize("spec", ["", "http/8080", "0/x", "70000/x"])
def test_http_probe_rejects_what_is_not_port_slash_path(spec: str) -> None:
    with pytest.raises(VerifyError) as e:
        Probe.http(spec)
    assert e.value.code == EXIT_INPUT


def test_no_builder_is_a_clear_error(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # none of docker, podman, buildah
    dockerfile = APPS / "python-pip-batch" / "Dockerfile"
    with pytest.raises(VerifyError) as e:
        verify(str(dockerfile))
    assert e.value.code == EXIT_INPUT
    assert "no builder available" in str(e.value)
    assert cli(["verify", str(dockerfile), "-q"]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "no builder available" in err and "docker: not installed" in err


@pytest.mark.skipif(shutil.which("docker") is None, reason="no docker client on this machine")
def test_a_docker_client_without_an_engine_does_not_count(monkeypatch) -> None:
    import subprocess

    if subprocess.run(["docker", "info"], capture_output=True).returncode == 0:
        pytest.skip("a Docker engine answers here")
    assert "no engine answers" in Builder.unusable("docker")
    with pytest.raises(VerifyError, match="docker: the client is installed but no engine answers"):
        detect_builder("docker")


def test_unknown_builder_is_a_usage_error(capsys) -> None:
    assert cli(["verify", str(APPS / "c-make" / "Dockerfile"), "--builder", "kaniko"]) == EXIT_INPUT
    assert "invalid choice" in capsys.readouterr().err


def test_probe_and_http_exclude_each_other(capsys) -> None:
    assert cli(["verify", "Dockerfile", "--probe", "true", "--http", "80/"]) == EXIT_INPUT


def test_a_file_that_does_not_parse_is_reported_before_any_build(tmp_path, capsys) -> None:
    (tmp_path / "Dockerfile").write_text("FROM python:3.12\nFORM x\n")
    assert cli(["verify", str(tmp_path / "Dockerfile")]) == EXIT_INPUT
    assert f"{tmp_path / 'Dockerfile'}:2:1:" in capsys.readouterr().err


def test_base_images_skip_stages_and_scratch_and_substitute_global_args() -> None:
    text = ("ARG PY=3.12\nFROM python:${PY} AS build\nRUN true\nFROM build AS test\n"
            "FROM scratch\nCOPY --from=build / /\nFROM $UNKNOWN\n")
    assert base_images(text) == ["python:3.12"]


def test_the_rebuild_changes_one_source_file_not_a_manifest_or_a_test(tmp_path) -> None:
    shutil.copytree(APPS / "python-pip-batch", tmp_path / "ctx")
    rel, comment = _source_to_change(tmp_path / "ctx")
    assert rel == "main.py" and comment == "#"
    before = (tmp_path / "ctx" / rel).read_bytes()
    _change_one_line(tmp_path / "ctx", rel, comment, "original")
    _change_one_line(tmp_path / "ctx", rel, comment, "refactored")
    after = (tmp_path / "ctx" / rel).read_bytes()
    assert after.startswith(before)
    assert after[len(before):] == b"\n# changed by refactor verify to time a cached rebuild (refactored)\n"


def test_no_source_file_means_no_rebuild_figure(tmp_path) -> None:
    (tmp_path / "requirements.txt").write_text("flask\n")
    assert _source_to_change(tmp_path) is None


def _report(**kw) -> Report:
    r = Report("Dockerfile", "podman", Probe())
    r.original = ImageReport("original", built=True, size=800_000_000, outcome=("running",),
                             outcome_text="still running after 5 s", rebuild_seconds=12.0, user="root")
    r.refactored = ImageReport("refactored", built=True, size=200_000_000, outcome=("running",),
                               outcome_text="still running after 5 s", rebuild_seconds=2.0, user="app")
    for k, v in kw.items():
        setattr(r.refactored, k, v)
    return r


def test_same_behaviour_reports_the_gains() -> None:
    verdict, code = _judge(_report())
    assert code == EXIT_SAME
    assert verdict == "same behaviour: final image 200.0 MB instead of 800.0 MB (25%); cached rebuild 6.0x as fast"


def test_a_different_probe_result_is_exit_1() -> None:
    verdict, code = _judge(_report(outcome=("exited", 1, ""), outcome_text="exited 1"))
    assert code == EXIT_DIFFERS and verdict.startswith("behaviour differs")


def test_a_refactored_file_that_does_not_build_is_exit_1() -> None:
    verdict, code = _judge(_report(built=False, build_log="step 3: error"))
    assert code == EXIT_DIFFERS and "does not build" in verdict and "step 3: error" in verdict


def test_an_original_that_does_not_build_is_an_input_error() -> None:
    r = _report()
    r.original.built, r.original.build_log = False, "no such file"
    with pytest.raises(VerifyError) as e:
        _judge(r)
    assert e.value.code == EXIT_INPUT and "the original does not build" in str(e.value)


def test_a_failing_health_check_is_exit_1() -> None:
    assert _judge(_report(healthcheck="fails"))[1] == EXIT_DIFFERS


def test_the_table_names_every_figure() -> None:
    r = _report()
    r.verdict = "same behaviour"
    text = render(r)
    for row in ("build", "probe", "final image size", "layers", "user", "health check", "build time",
                "cached rebuild"):
        assert row in text
    assert "800.0 MB" in text and "200.0 MB" in text and "12.0 s" in text


def test_the_rebuild_changes_a_file_the_build_copies(tmp_path) -> None:
    from refactor.verify import copied_sources

    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.py").write_text("print('hi')\n")
    (tmp_path / "bump.py").write_text("# a release script the image never copies\n")
    sources = copied_sources("FROM python:3.12-slim\nCOPY app/ /srv/app/\nCMD [\"python\", \"/srv/app/main.py\"]\n")
    assert sources == ["app"]
    assert _source_to_change(tmp_path, sources) == ("app/main.py", "#")


def test_a_port_that_already_answers_is_refused_before_any_run() -> None:
    import socket

    from refactor.verify import _exercise

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        with pytest.raises(VerifyError, match=f"port {port} already answers"):
            _exercise(None, "img", "name", Probe.http(f"{port}/"), ImageReport("original"), 5)


def test_nothing_to_refactor_prints_only_the_verdict() -> None:
    r = Report("Dockerfile", "podman", Probe())
    r.verdict, r.exit_code = "nothing to refactor: no build needed", EXIT_SAME
    assert render(r) == "nothing to refactor: no build needed"


def test_a_body_that_varies_between_requests_compares_by_status() -> None:
    r = _report(outcome=("http", 200, "varies"), outcome_text="HTTP 200, 773 bytes (the body varies)")
    r.original.outcome, r.original.outcome_text = ("http", 200, b"<img src=cat3.gif>"), "HTTP 200, 772 bytes"
    assert _judge(r)[1] == EXIT_SAME
    r.refactored.outcome = ("http", 500, "varies")
    assert _judge(r)[1] == EXIT_DIFFERS


def test_the_http_probe_notices_a_page_that_changes_from_one_request_to_the_next() -> None:
    import http.server
    import itertools
    import threading

    from refactor.verify import _http

    counter = itertools.count()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = (f"visit {next(counter)}" if self.path == "/random" else "same").encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        import time

        steady, _ = _http(None, "c", Probe.http(f"{port}/"), time.monotonic() + 5)
        varying, text = _http(None, "c", Probe.http(f"{port}/random"), time.monotonic() + 5)
    finally:
        server.shutdown()
        server.server_close()
    assert steady == ("http", 200, b"same")
    assert varying == ("http", 200, "varies") and "the body varies" in text


# --- a machine whose container runtime cannot run containers ------------------------------------

CRUN_RLIMIT = "Error: crun: setrlimit `RLIMIT_NPROC`: Operation not permitted: OCI permission denied"
RUNC_RLIMIT = ("Error: OCI runtime error: runc: runc create failed: unable to start container process: error during "
               "container init: error setting rlimits for ready process: error setting rlimit type 7: operation not "
               "permitted")


class FakePodman(Builder):
    """Podman as a host that builds and inspects but refuses to start containers with `run_error`."""

    run_error = CRUN_RLIMIT

    def _call(self, tool, *args, timeout=120, **kw):
        import subprocess

        self.calls = getattr(self, "calls", []) + [(tool, *args)]
        if args[:2] == ("image", "inspect"):
            return subprocess.CompletedProcess([tool, *args], 0, '[{"Size": 1000, "Config": {}}]', "")
        if args[0] == "run":
            return subprocess.CompletedProcess([tool, *args], 126, "", self.run_error + "\n")
        return subprocess.CompletedProcess([tool, *args], 0, "", "")


@pytest.mark.parametrize("stderr", [CRUN_RLIMIT, RUNC_RLIMIT], ids=["crun", "runc"])
def test_a_runtime_that_refuses_its_resource_limits_is_the_machine_not_the_image(stderr: str) -> None:
    tool = FakePodman("podman")
    tool.run_error = stderr
    with pytest.raises(VerifyError) as e:
        tool.start("localhost/refactor-verify-x:refactored", "refactor-verify-x-refactored")
    assert e.value.code == EXIT_INPUT
    assert "this machine cannot run the containers" in str(e.value)
    assert "containers.conf" in str(e.value) and 'default_ulimits = ["nofile=' in str(e.value)


def test_verify_on_a_host_that_refuses_rlimits_exits_2_with_the_hint(monkeypatch, capsys) -> None:
    import refactor.verify as verify_module

    tool = FakePodman("buildah")
    monkeypatch.setattr(verify_module, "detect_builder", lambda prefer=None: tool)
    assert cli(["verify", str(APPS / "python-pip-batch" / "Dockerfile"), "-q"]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "refused its default resource limits" in err and "RLIMIT_NPROC" in err
    assert "hint: set limits this host allows in containers.conf" in err
    assert "behaviour differs" not in err
    assert any(c[1:3] == ("rmi", "-f") for c in tool.calls)  # the images it built are removed all the same


def test_an_original_whose_container_does_not_start_is_exit_2_not_a_difference(monkeypatch, capsys) -> None:
    import refactor.verify as verify_module

    tool = FakePodman("buildah")
    tool.run_error = 'Error: crun: executable file `python` not found in $PATH: No such file or directory'
    monkeypatch.setattr(verify_module, "detect_builder", lambda prefer=None: tool)
    assert cli(["verify", str(APPS / "python-pip-batch" / "Dockerfile"), "-q"]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "the original image does not run with podman; nothing to compare" in err
    assert "the container did not start" in err


def test_a_refactored_container_that_does_not_start_is_still_exit_1(monkeypatch) -> None:
    import subprocess

    class OnlyOriginalRuns(FakePodman):
        run_error = "Error: crun: executable file `gunicorn` not found in $PATH"

        def _call(self, tool, *args, timeout=120, **kw):
            if args and args[0] == "run" and args[-1].endswith(":original"):
                return subprocess.CompletedProcess([tool, *args], 0, "abc\n", "")
            if args and args[0] == "inspect":
                return subprocess.CompletedProcess([tool, *args], 0, '[{"State": {"Running": true, "Pid": 0}}]', "")
            return super()._call(tool, *args, timeout=timeout, **kw)

    import refactor.verify as verify_module

    monkeypatch.setattr(verify_module, "detect_builder", lambda prefer=None: OnlyOriginalRuns("buildah"))
    monkeypatch.setattr(verify_module, "SETTLE_SECONDS", 0.0)
    with pytest.raises(VerifyError) as e:
        verify(str(APPS / "python-pip-batch" / "Dockerfile"), rebuild=False)
    assert e.value.code == EXIT_DIFFERS and "the container did not start" in str(e.value)


def test_the_refactored_image_is_built_with_the_proposed_dockerignore(tmp_path, monkeypatch) -> None:
    import refactor.verify as verify_module

    (tmp_path / "package.json").write_text('{"name": "x"}\n')
    (tmp_path / ".gitignore").write_text("node_modules\n")
    df = tmp_path / "Dockerfile"
    df.write_text('FROM node:20-slim\nWORKDIR /app\nCOPY package.json ./\nRUN npm install\nCOPY . .\n'
                  'CMD ["node", "index.js"]\n')
    seen: dict[str, str | None] = {}

    class Recording:
        name = "fake"

        def ensure_bases(self, *texts, log=None) -> None:
            pass

        def image_ids(self) -> set:
            return set()

        def build(self, dockerfile: Path, context: Path, tag: str):
            for side in ("original", "refactored"):
                ignore = dockerfile.parent.parent / side / "Dockerfile.dockerignore"
                seen[side] = ignore.read_text() if ignore.is_file() else None
            return False, 0.0, "stopped here"

        def remove(self, tags, before) -> None:
            pass

    monkeypatch.setattr(verify_module, "detect_builder", lambda prefer=None: Recording())
    with pytest.raises(VerifyError):  # the fake builds nothing: the original "does not build"
        verify(str(df), level="review", rebuild=False)
    assert seen == {"original": None, "refactored": ".git\nnode_modules\n"}
    assert not (tmp_path / ".dockerignore").exists()  # verify writes only in its own copy
