"""The `refactor` command through its real entry point (a subprocess), read as a specification."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "corpus" / "examples" / "python-flask"


def run(*args: str, cwd: Path | None = None, stdin: str | None = None, env: dict | None = None):
    full_env = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
    full_env.update({"NO_COLOR": "1", **(env or {})})
    return subprocess.run([sys.executable, "-m", "refactor", *args], cwd=cwd, input=stdin, capture_output=True,
                          text=True, env=full_env)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    dest = tmp_path / "project"
    shutil.copytree(EXAMPLE, dest)
    return dest


LEGACY = "FROM python:3.12-slim\nMAINTAINER Ops <ops@example.com>\nCOPY . /app\nCMD python /app/main.py\n"


def write(tmp_path: Path, text: str = LEGACY, name: str = "Dockerfile") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode())
    return p


# --- review: --diff ------------------------------------------------------------------------


def test_diff_prints_a_unified_diff_then_one_line_per_change_and_exits_0(tmp_path: Path) -> None:
    df = write(tmp_path)
    out = run("--diff", "Dockerfile", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("--- a/Dockerfile\n+++ b/Dockerfile\n@@ ")
    assert "-MAINTAINER Ops <ops@example.com>\n" in out.stdout
    assert "Dockerfile:2:1: HY009 " in out.stdout
    assert df.read_text() == LEGACY  # review writes nothing


def test_bare_path_behaves_like_diff(tmp_path: Path) -> None:
    write(tmp_path)
    assert run("Dockerfile", cwd=tmp_path).stdout == run("--diff", "Dockerfile", cwd=tmp_path).stdout


def test_diff_is_coloured_only_when_asked_and_never_with_no_color(tmp_path: Path) -> None:
    write(tmp_path)
    plain = run("Dockerfile", cwd=tmp_path)
    assert "\x1b[" not in plain.stdout
    forced = run("Dockerfile", cwd=tmp_path, env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert "\x1b[32m+" in forced.stdout


def test_color_option_wins_over_no_color_and_force_color(tmp_path: Path) -> None:
    write(tmp_path)
    always = run("--color", "always", "Dockerfile", cwd=tmp_path, env={"NO_COLOR": "1"})
    assert "\x1b[32m+" in always.stdout
    never = run("--color", "never", "Dockerfile", cwd=tmp_path, env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert "\x1b[" not in never.stdout
    auto = run("--color", "auto", "Dockerfile", cwd=tmp_path, env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert "\x1b[32m+" in auto.stdout
    assert run("--color", "sometimes", "Dockerfile", cwd=tmp_path).returncode == 2


def test_unchanged_file_prints_no_diff(tmp_path: Path) -> None:
    write(tmp_path, "FROM scratch\nCOPY app /app\n")
    out = run("--select", "HY009", "Dockerfile", cwd=tmp_path)
    assert out.returncode == 0 and out.stdout == ""


# --- CI gate: --check ----------------------------------------------------------------------


def test_check_exits_1_when_something_would_change_and_0_when_clean(tmp_path: Path) -> None:
    write(tmp_path)
    assert run("--check", "Dockerfile", cwd=tmp_path).returncode == 1
    write(tmp_path, "FROM scratch\nCOPY app /app\n", name="Clean.Dockerfile")
    assert run("--check", "--select", "HY009", "Clean.Dockerfile", cwd=tmp_path).returncode == 0


def test_check_names_each_file_that_would_change_with_its_changes_but_no_diff(tmp_path: Path) -> None:
    write(tmp_path)
    out = run("--check", "--select", "HY009", "Dockerfile", cwd=tmp_path)
    assert out.returncode == 1
    assert out.stdout.splitlines()[0] == "Dockerfile: would change (1 change)"
    assert "Dockerfile:2:1: HY009 " in out.stdout
    assert "--- a/Dockerfile" not in out.stdout and "+LABEL" not in out.stdout


def test_check_with_diff_adds_the_diff(tmp_path: Path) -> None:
    write(tmp_path)
    out = run("--check", "--diff", "--select", "HY009", "Dockerfile", cwd=tmp_path)
    assert out.returncode == 1
    assert out.stdout.startswith("--- a/Dockerfile\n+++ b/Dockerfile\n@@ ")
    assert "Dockerfile: would change (1 change)\n" in out.stdout and "Dockerfile:2:1: HY009 " in out.stdout


def test_quiet_check_prints_only_errors(tmp_path: Path) -> None:
    write(tmp_path)
    write(tmp_path, "FROM a\nFORM b\n", name="Bad.Dockerfile")
    out = run("--check", "-q", "Dockerfile", cwd=tmp_path)
    assert (out.returncode, out.stdout, out.stderr) == (1, "", "")
    out = run("--check", "-q", "Dockerfile", "Bad.Dockerfile", cwd=tmp_path)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.startswith("Bad.Dockerfile:2:1: unknown instruction: FORM")
    assert "would change" not in out.stderr and "summary" not in out.stderr


def test_quiet_keeps_the_diff_that_diff_asks_for(tmp_path: Path) -> None:
    write(tmp_path)
    for args in (["--diff", "-q"], ["--check", "--diff", "-q"]):
        out = run(*args, "--select", "HY009", "Dockerfile", cwd=tmp_path)
        assert out.stdout.startswith("--- a/Dockerfile\n"), args
        assert "HY009" not in out.stdout and out.stderr == "", args


def test_write_excludes_diff_and_check(tmp_path: Path) -> None:
    write(tmp_path)
    for other in ("--diff", "--check"):
        out = run("--write", other, "Dockerfile", cwd=tmp_path)
        assert out.returncode == 2 and f"not allowed with argument {other}" in out.stderr
    assert (tmp_path / "Dockerfile").read_text() == LEGACY


# --- apply: --write ------------------------------------------------------------------------


def test_write_applies_in_place_and_keeps_mode_and_crlf(tmp_path: Path) -> None:
    df = write(tmp_path, LEGACY.replace("\n", "\r\n"))
    df.chmod(0o640)
    out = run("--write", "--select", "HY009", "Dockerfile", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    data = df.read_bytes()
    assert b'LABEL org.opencontainers.image.authors="Ops <ops@example.com>"\r\n' in data
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert stat.S_IMODE(df.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["Dockerfile"]  # no temporary file left


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o555])
def test_write_refuses_a_read_only_file_even_as_root(tmp_path: Path, mode: int) -> None:
    df = write(tmp_path)
    df.chmod(mode)
    other = write(tmp_path, name="api.Dockerfile")
    out = run("--write", "--select", "HY009", "Dockerfile", "api.Dockerfile", cwd=tmp_path)
    assert out.returncode == 2
    assert out.stderr.startswith(f"Dockerfile: read-only (mode {mode:04o}): not written;")
    assert df.read_text() == LEGACY and stat.S_IMODE(df.stat().st_mode) == mode
    assert "MAINTAINER" not in other.read_text()  # the writable one is still written


def test_write_then_check_is_clean(tmp_path: Path) -> None:
    write(tmp_path)
    assert run("--write", "Dockerfile", cwd=tmp_path).returncode == 0
    assert run("--check", "Dockerfile", cwd=tmp_path).returncode == 0


def test_write_on_a_directory_finds_every_dockerfile_name(tmp_path: Path) -> None:
    for name in ("Dockerfile", "Dockerfile.dev", "api.Dockerfile", "web.dockerfile", "Containerfile", "Containerfile.ci"):
        write(tmp_path, name=name)
    write(tmp_path, name="notes.txt")
    out = run("--write", "--select", "HY009", ".", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    for name in ("Dockerfile", "Dockerfile.dev", "api.Dockerfile", "web.dockerfile", "Containerfile", "Containerfile.ci"):
        assert "MAINTAINER" not in (tmp_path / name).read_text(), name
    assert "MAINTAINER" in (tmp_path / "notes.txt").read_text()


# --- stdin for editors ---------------------------------------------------------------------


def test_stdin_writes_the_whole_new_file_to_stdout(tmp_path: Path) -> None:
    out = run("-", "--stdin-filename", "svc/Dockerfile", "--select", "HY009", stdin=LEGACY, cwd=tmp_path)
    assert out.returncode == 0
    assert out.stdout == LEGACY.replace("MAINTAINER Ops <ops@example.com>", 'LABEL org.opencontainers.image.authors="Ops <ops@example.com>"')
    assert "svc/Dockerfile:2:1: HY009" in out.stderr


def test_stdin_prints_an_unchanged_file_whole(tmp_path: Path) -> None:
    text = "FROM scratch\nCOPY a /a\n"
    out = run("-", "--stdin-filename", "Dockerfile", "--select", "HY009", stdin=text, cwd=tmp_path)
    assert out.returncode == 0 and out.stdout == text


def test_stdin_with_diff_prints_the_diff_not_the_file(tmp_path: Path) -> None:
    out = run("--diff", "-", "--stdin-filename", "svc/Dockerfile", "--select", "HY009", stdin=LEGACY, cwd=tmp_path)
    assert out.returncode == 0
    assert out.stdout.startswith("--- a/svc/Dockerfile\n+++ b/svc/Dockerfile\n@@ ")
    assert "-MAINTAINER Ops <ops@example.com>\n" in out.stdout and "FROM python:3.12-slim\n" not in out.stdout.splitlines(True)
    assert "svc/Dockerfile:2:1: HY009" in out.stderr
    clean = run("--diff", "-", "--select", "HY009", stdin="FROM scratch\nCOPY a /a\n", cwd=tmp_path)
    assert clean.returncode == 0 and clean.stdout == ""


def test_stdin_parse_error_keeps_stdout_empty_and_exits_2(tmp_path: Path) -> None:
    out = run("-", "--stdin-filename", "app/Dockerfile", stdin="FROM a\nCMD [1]\n", cwd=tmp_path)
    assert out.returncode == 2
    assert out.stdout == ""
    assert out.stderr.startswith("app/Dockerfile:2:5: when using JSON array syntax")


# --- errors --------------------------------------------------------------------------------


def test_parse_error_names_file_line_col_and_writes_nothing(tmp_path: Path) -> None:
    bad = "FROM a\nRUN <<EOF\nnever ends\n"
    df = write(tmp_path, bad)
    out = run("--write", "Dockerfile", cwd=tmp_path)
    assert out.returncode == 2
    assert out.stderr.startswith("Dockerfile:2:1: unterminated heredoc")
    assert df.read_text() == bad


def test_invalid_utf8_is_an_input_error_with_the_byte_offset(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_bytes(b"FROM a\nRUN echo \xff\n")
    out = run("Dockerfile", cwd=tmp_path)
    assert out.returncode == 2
    assert "Dockerfile:2:10: not UTF-8 text: invalid byte 0xff at offset 16" in out.stderr


def test_a_binary_file_named_on_the_command_line_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "logo.Dockerfile").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "app.Dockerfile").write_bytes(b"FROM a\nRUN echo \x00\n")
    out = run("--check", "logo.Dockerfile", "app.Dockerfile", cwd=tmp_path)
    assert out.returncode == 2
    assert "logo.Dockerfile:1:1: not UTF-8 text: invalid byte 0x89 at offset 0" in out.stderr
    assert "app.Dockerfile:2:10: not a Dockerfile: binary content (a NUL byte at offset 16)" in out.stderr
    (tmp_path / "tree").mkdir()
    (tmp_path / "app.Dockerfile").rename(tmp_path / "tree" / "Dockerfile")
    walked = run("--check", "tree", cwd=tmp_path)  # found below a directory: skipped with the reason
    assert walked.returncode == 0 and "tree/Dockerfile: skipped: binary file" in walked.stderr


def test_missing_file_and_bad_usage_exit_2(tmp_path: Path) -> None:
    assert run("nope/Dockerfile", cwd=tmp_path).returncode == 2
    assert run("--format", "xml", "Dockerfile", cwd=tmp_path).returncode == 2
    assert run("--safe-only", "--unsafe-fixes", "Dockerfile", cwd=tmp_path).returncode == 2
    assert run("--no-such-option", cwd=tmp_path).returncode == 2


def test_one_bad_file_does_not_stop_the_others_and_the_worst_exit_wins(tmp_path: Path) -> None:
    write(tmp_path, "FROM a\nCMD [1]\n", name="Bad.Dockerfile")
    good = write(tmp_path)
    out = run("--write", "--select", "HY009", "Bad.Dockerfile", "Dockerfile", cwd=tmp_path)
    assert out.returncode == 2
    assert "MAINTAINER" not in good.read_text()


def test_empty_file_is_skipped_with_a_reason(tmp_path: Path) -> None:
    write(tmp_path, "# nothing yet\n")
    out = run("--check", "Dockerfile", cwd=tmp_path)
    assert out.returncode == 0
    assert "no instructions" in out.stderr


# --- selection, levels, configuration, pragmas ----------------------------------------------


def test_select_and_ignore_by_code_and_prefix(tmp_path: Path) -> None:
    write(tmp_path)
    only = json.loads(run("--format", "json", "--select", "HY", "Dockerfile", cwd=tmp_path).stdout)
    codes = {c["code"] for c in only["files"][0]["changes"]}
    assert codes and all(c.startswith("HY") for c in codes)
    without = json.loads(run("--format", "json", "--ignore", "HY009", "Dockerfile", cwd=tmp_path).stdout)
    assert "HY009" not in {c["code"] for c in without["files"][0]["changes"]}


def test_safe_only_applies_only_safe_fixes(tmp_path: Path) -> None:
    write(tmp_path)
    report = json.loads(run("--format", "json", "--safe-only", "Dockerfile", cwd=tmp_path).stdout)
    assert {c["safety"] for c in report["files"][0]["changes"]} == {"safe"}


def test_configuration_in_pyproject_is_honoured_and_options_override_it(tmp_path: Path) -> None:
    write(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.refactor]\nselect = ["HY009"]\n')
    report = json.loads(run("--format", "json", "Dockerfile", cwd=tmp_path).stdout)
    assert {c["code"] for c in report["files"][0]["changes"]} == {"HY009"}
    report = json.loads(run("--format", "json", "--select", "US", "Dockerfile", cwd=tmp_path).stdout)
    assert {c["code"] for c in report["files"][0]["changes"]} <= {"US001"}


def test_dot_refactor_toml_is_found_from_the_dockerfile_upwards(tmp_path: Path) -> None:
    (tmp_path / ".refactor.toml").write_text('ignore = ["HY009"]\n')
    sub = tmp_path / "svc"
    sub.mkdir()
    write(sub)
    report = json.loads(run("--format", "json", "svc/Dockerfile", cwd=tmp_path).stdout)
    assert "HY009" not in {c["code"] for c in report["files"][0]["changes"]}


def test_bad_configuration_is_an_input_error(tmp_path: Path) -> None:
    write(tmp_path)
    (tmp_path / ".refactor.toml").write_text('selekt = ["HY"]\n')
    out = run("Dockerfile", cwd=tmp_path)
    assert out.returncode == 2 and "unknown key" in out.stderr


def test_inline_pragmas_silence_a_rule_for_the_next_instruction(tmp_path: Path) -> None:
    text = ("FROM python:3.12-slim\n# refactor: ignore[HY009]\nMAINTAINER a\n"
            "FROM python:3.12-slim\n# hadolint ignore=DL4000\nMAINTAINER b\n"
            "FROM python:3.12-slim\nMAINTAINER c\n")
    write(tmp_path, text)
    report = json.loads(run("--format", "json", "--select", "HY009", "Dockerfile", cwd=tmp_path).stdout)
    assert [c["range"]["start"]["line"] for c in report["files"][0]["changes"]] == [8]


def test_unsafe_fixes_are_suggested_and_counted_until_asked_for(tmp_path: Path) -> None:
    write(tmp_path, "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n")
    held = run("--select", "HY002", "Dockerfile", cwd=tmp_path)
    assert held.stdout == "" or "+RUN" not in held.stdout
    if "HY002" not in held.stdout:
        pytest.skip("HY002 is not available in this build")
    assert "[not applied: use --unsafe-fixes]" in held.stdout
    assert "1 unsafe suggestion held back" in held.stderr
    applied = run("--select", "HY002", "--unsafe-fixes", "Dockerfile", cwd=tmp_path)
    assert "--no-install-recommends" in applied.stdout


# --- machine-readable reports --------------------------------------------------------------


def test_json_report_has_changes_with_ranges_and_standalone_edits(tmp_path: Path) -> None:
    write(tmp_path)
    report = json.loads(run("--format", "json", "--select", "HY009", "Dockerfile", cwd=tmp_path).stdout)
    (f,) = report["files"]
    assert f["path"] == "Dockerfile" and f["status"] == "changed"
    (c,) = f["changes"]
    assert c["code"] == "HY009" and c["safety"] == "safe" and c["range"]["start"] == {"line": 2, "column": 1}
    lines = LEGACY.splitlines(keepends=True)
    e = c["edit"]
    start, end = e["range"]["start"]["line"], e["range"]["end"]["line"]
    patched = "".join(lines[: start - 1]) + e["new_text"] + "".join(lines[end - 1:])
    assert patched == LEGACY.replace("MAINTAINER Ops <ops@example.com>", 'LABEL org.opencontainers.image.authors="Ops <ops@example.com>"')


def test_github_format_writes_workflow_annotations(tmp_path: Path) -> None:
    write(tmp_path)
    out = run("--format", "github", "--select", "HY009", "Dockerfile", cwd=tmp_path)
    assert out.stdout.startswith("::notice file=Dockerfile,line=2,col=1,title=HY009 ")


def sarif_schema() -> dict | None:
    """The SARIF 2.1.0 schema: $SARIF_SCHEMA (.ci/run fetches it), else from the npm registry."""
    path = os.environ.get("SARIF_SCHEMA")
    if path and Path(path).is_file():
        return json.loads(Path(path).read_text())
    npm = shutil.which("npm")
    if npm is None:
        return None
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        pack = subprocess.run([npm, "pack", "--silent", "@microsoft/jest-sarif@1.0.0-beta.0"], cwd=tmp,
                              capture_output=True, text=True, timeout=120)
        if pack.returncode != 0:
            return None
        with tarfile.open(Path(tmp) / pack.stdout.strip().splitlines()[-1]) as t:
            member = t.extractfile("package/lib/schemas/sarif-2.1.0-rtm.5.json")
            return json.loads(member.read()) if member else None


PARSE_ERROR = "FROM alpine:3.20\nRUN true\nFORM alpine\n"


def test_a_parse_error_in_json_is_an_object_with_path_line_column_and_message(tmp_path: Path) -> None:
    write(tmp_path, PARSE_ERROR)
    out = run("--check", "--format", "json", "Dockerfile", cwd=tmp_path)
    assert out.returncode == 2
    f = json.loads(out.stdout)["files"][0]
    assert f["status"] == "failed" and f["error"].startswith("Dockerfile:3:1: unknown instruction: FORM")
    assert f["diagnostic"] == {"path": "Dockerfile", "line": 3, "column": 1, "message": "unknown instruction: FORM"}
    missing = json.loads(run("--format", "json", "nope/Dockerfile", cwd=tmp_path).stdout)["files"][0]
    assert missing["diagnostic"] == {"path": "nope/Dockerfile", "line": None, "column": None,
                                     "message": "no such file or directory"}


def test_a_parse_error_in_sarif_has_a_region(tmp_path: Path) -> None:
    write(tmp_path, PARSE_ERROR)
    out = run("--check", "--format", "sarif", "Dockerfile", cwd=tmp_path)
    assert out.returncode == 2
    [result] = json.loads(out.stdout)["runs"][0]["results"]
    assert result["ruleId"] == "E001" and result["level"] == "error"
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 1}


def test_a_parse_error_in_github_format_has_a_line_and_column(tmp_path: Path) -> None:
    write(tmp_path, PARSE_ERROR)
    out = run("--check", "--format", "github", "Dockerfile", cwd=tmp_path)
    assert out.returncode == 2
    assert out.stdout.startswith("::error file=Dockerfile,line=3,col=1,title=E001 cannot be read or parsed::"
                                 "unknown instruction: FORM%0A")


def test_sarif_output_validates_against_the_sarif_2_1_0_schema(tmp_path: Path, project: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = sarif_schema()
    if schema is None:
        pytest.skip("the SARIF schema could not be had (set SARIF_SCHEMA)")
    out = run("--format", "sarif", "Dockerfile", cwd=project)
    sarif = json.loads(out.stdout)
    jsonschema.validate(sarif, schema)
    results = sarif["runs"][0]["results"]
    assert results and all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "Dockerfile" for r in results)
    ids = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert {r["ruleId"] for r in results} <= ids


# --- documentation -------------------------------------------------------------------------


def test_rules_lists_every_rule_and_explain_documents_one(tmp_path: Path) -> None:
    listed = run("rules", cwd=tmp_path)
    assert listed.returncode == 0 and "HY009  maintainer-to-label" in listed.stdout
    explained = run("explain", "PN001", cwd=tmp_path)
    assert explained.returncode == 0
    for heading in ("What it does", "Why", "Example", "Use instead", "Fix safety"):
        assert f"\n{heading}\n" in explained.stdout
    assert "Table of current releases, dated" in explained.stdout
    assert run("explain", "XX999", cwd=tmp_path).returncode == 2


def test_version(tmp_path: Path) -> None:
    out = run("--version", cwd=tmp_path)
    assert out.returncode == 0 and out.stdout.startswith("refactor ")


_PIP_STEP = "FROM python:3.12-slim\nRUN pip install --no-cache-dir flask==3.0.3\nCMD [\"flask\", \"run\"]\n"


def test_buildkit_false_in_the_configuration_leaves_out_cache_mounts_and_the_directive(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(_PIP_STEP)
    (tmp_path / ".refactor.toml").write_text("buildkit = false\n")
    out = run("--select", "BK,HY005", "-", "--stdin-filename", str(tmp_path / "Dockerfile"), stdin=_PIP_STEP)
    assert "--mount" not in out.stdout and "# syntax=" not in out.stdout
    assert "pip install --no-cache-dir flask" in out.stdout


def test_syntax_directive_false_keeps_the_mounts_without_the_directive(tmp_path: Path) -> None:
    (tmp_path / ".refactor.toml").write_text("syntax-directive = false\n")
    out = run("--select", "BK", "-", "--stdin-filename", str(tmp_path / "Dockerfile"), stdin=_PIP_STEP)
    assert "RUN --mount=type=cache,target=/root/.cache/pip pip install flask" in out.stdout
    assert "# syntax=" not in out.stdout


def test_buildkit_setting_that_is_no_boolean_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(_PIP_STEP)
    (tmp_path / ".refactor.toml").write_text('buildkit = "no"\n')
    out = run("Dockerfile", cwd=tmp_path)
    assert out.returncode == 2 and "buildkit must be true or false" in out.stderr


# --- a second file: the proposed .dockerignore (CX001, CX002) --------------------------------------

NODE = "FROM node:20-slim\nWORKDIR /app\nCOPY package.json ./\nRUN npm install\nCOPY . .\nCMD [\"node\", \"index.js\"]\n"


def node_project(tmp_path: Path, ignore: str | None = None) -> Path:
    (tmp_path / "package.json").write_text('{"name": "x", "version": "1.0.0"}\n')
    (tmp_path / ".gitignore").write_text("node_modules/\n")
    if ignore is not None:
        (tmp_path / ".dockerignore").write_text(ignore)
    return write(tmp_path, NODE)


def test_diff_shows_a_proposed_dockerignore_as_a_new_file(tmp_path: Path) -> None:
    node_project(tmp_path)
    out = run("--diff", "--select", "CX", "Dockerfile", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("--- /dev/null\n+++ b/.dockerignore\n@@ -0,0 +1,2 @@\n+.git\n+node_modules\n")
    assert "Dockerfile:5:1: CX001 a new .dockerignore keeps .git, node_modules out of the build context" in out.stdout
    assert not (tmp_path / ".dockerignore").exists()


def test_check_counts_a_proposed_dockerignore_as_a_change(tmp_path: Path) -> None:
    node_project(tmp_path)
    assert run("--check", "--select", "CX", "Dockerfile", cwd=tmp_path).returncode == 1
    (tmp_path / ".dockerignore").write_text(".git\nnode_modules\n")
    assert run("--check", "--select", "CX", "Dockerfile", cwd=tmp_path).returncode == 0


def test_write_creates_the_dockerignore_and_leaves_the_dockerfile_alone(tmp_path: Path) -> None:
    node_project(tmp_path)
    out = run("--write", "--select", "CX", "Dockerfile", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / ".dockerignore").read_text() == ".git\nnode_modules\n"
    assert (tmp_path / "Dockerfile").read_text() == NODE
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".refactor")]  # no temporary file left
    assert run("--check", "--select", "CX", "Dockerfile", cwd=tmp_path).returncode == 0


def test_write_adds_the_node_modules_line_to_an_existing_dockerignore(tmp_path: Path) -> None:
    node_project(tmp_path, ignore=".git\n*.md")
    out = run("--diff", "--select", "CX", "Dockerfile", cwd=tmp_path)
    assert "--- a/.dockerignore\n+++ b/.dockerignore\n" in out.stdout and "+node_modules\n" in out.stdout
    assert "CX002 add node_modules to .dockerignore: `COPY . .` copies the host's node_modules" in out.stdout
    run("--write", "--select", "CX", "Dockerfile", cwd=tmp_path)
    assert (tmp_path / ".dockerignore").read_text() == ".git\n*.md\nnode_modules\n"


def test_json_and_sarif_list_the_second_file(tmp_path: Path) -> None:
    node_project(tmp_path)
    report = json.loads(run("--format", "json", "--select", "CX", "Dockerfile", cwd=tmp_path).stdout)
    (f,) = report["files"]
    assert f["status"] == "changed"
    (c,) = f["changes"]
    assert c["code"] == "CX001" and c["path"] == ".dockerignore" and c["edit"]["new_text"] == ".git\nnode_modules\n"
    (extra,) = f["files"]
    assert extra["path"] == ".dockerignore" and extra["status"] == "created" and extra["text"] == ".git\nnode_modules\n"
    assert extra["diff"].startswith("--- /dev/null\n+++ b/.dockerignore\n")
    sarif = json.loads(run("--format", "sarif", "--select", "CX", "Dockerfile", cwd=tmp_path).stdout)
    (res,) = sarif["runs"][0]["results"]
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "Dockerfile"
    (change,) = res["fixes"][0]["artifactChanges"]
    assert change["artifactLocation"]["uri"] == ".dockerignore"
    assert change["replacements"][0]["insertedContent"]["text"] == ".git\nnode_modules\n"


def test_stdin_mode_suggests_the_dockerignore_and_writes_only_the_dockerfile(tmp_path: Path) -> None:
    node_project(tmp_path)
    out = run("-", "--stdin-filename", "Dockerfile", "--select", "CX", cwd=tmp_path, stdin=NODE)
    assert out.returncode == 0, out.stderr
    assert out.stdout == NODE
    assert "CX001 a new .dockerignore keeps .git, node_modules" in out.stderr
    assert "[not applied: create .dockerignore yourself" in out.stderr
    assert "left out by --safe-only" not in out.stderr
    assert not (tmp_path / ".dockerignore").exists()
