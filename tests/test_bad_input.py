"""Bad input through the real command: a clear skip or error naming the file, never a traceback.

Each case runs `python -m refactor …` in a subprocess on files made in tmp_path
and checks the exit code DESIGN.md gives (0 done or skipped, 1 changes needed
under --check, 2 input error, never 3 and never a traceback), that the output
names the file concerned, and that nothing is written that should not be:
binary content, invalid UTF-8 (the message names `path:line:col` and the byte
offset), files without instructions, a 10 MB file, a directory named
Dockerfile, unreadable files, FIFOs, symbolic-link loops, a linked directory
leading out of the tree, a file that changes while it is processed, what
`--write` must keep (mode, LF/CRLF, BOM, no final newline), and one bad file
among good ones.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# changes under the default level (HY004 apk --no-cache, HY007 exec-form CMD, US001 a USER):
GOOD = "FROM alpine:3.20\nRUN apk add curl\nCMD python app.py\n"
# Docker rejects it (an unknown instruction): a ParseError, exit 2
UNPARSABLE = "FROM alpine:3.20\nFORM alpine\n"


def run(*args: str, cwd: Path, timeout: float = 120, stdin: bytes | None = None,
        stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}
    env.pop("FORCE_COLOR", None)
    proc = subprocess.run([sys.executable, "-m", "refactor", *args], cwd=cwd, input=stdin, stdout=stdout,
                          stderr=subprocess.PIPE, timeout=timeout, env=env)
    return proc


def output(proc: subprocess.CompletedProcess) -> str:
    out = (proc.stdout or b"").decode("utf-8", "replace") + (proc.stderr or b"").decode("utf-8", "replace")
    assert "Traceback" not in out, out
    assert proc.returncode != 3, f"internal error (exit 3):\n{out}"
    return out


def names(out: str, path: str, *words: str) -> bool:
    """Some line of the output names `path` (as given or as found) and, if any are given, one of `words`."""
    for line in out.splitlines():
        if path in line and (not words or any(w.lower() in line.lower() for w in words)):
            return True
    return False


def assert_skipped_or_rejected(proc: subprocess.CompletedProcess, path: str, *reason: str) -> str:
    """Exit 0 with a skip, or exit 2 with an error; either way a line names the file (and why)."""
    out = output(proc)
    assert proc.returncode in (0, 2), f"exit {proc.returncode}:\n{out}"
    if proc.returncode == 0:
        assert names(out, path, "skip"), f"no line names {path} as skipped:\n{out}"
    assert names(out, path, *reason), f"no line names {path}{' with ' + ' / '.join(reason) if reason else ''}:\n{out}"
    return out


def write(path: Path, data: bytes | str, mode: int | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    if mode is not None:
        path.chmod(mode)
    return path


# --- content that is not a Dockerfile's text -----------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"
WITH_NULS = b"FROM alpine:3.20\nRUN echo \x00\x00\x01\x02 done\n"


@pytest.mark.parametrize("data", [PNG, WITH_NULS], ids=["png", "nul-bytes"])
@pytest.mark.parametrize("mode", ["--check", "--write"])
def test_binary_content_named_on_the_command_line_is_an_input_error(tmp_path: Path, data: bytes, mode: str) -> None:
    write(tmp_path / "svc" / "Dockerfile", data)
    proc = run(mode, "svc/Dockerfile", cwd=tmp_path)
    out = assert_skipped_or_rejected(proc, "svc/Dockerfile", "binary", "NUL", "UTF-8", "text")
    assert proc.returncode == 2, out  # as a missing file is: the path given is not a Dockerfile
    assert re.search(r"^svc/Dockerfile:\d+:\d+: ", out, re.M), out
    assert (tmp_path / "svc" / "Dockerfile").read_bytes() == data


@pytest.mark.parametrize("data", [PNG, WITH_NULS], ids=["png", "nul-bytes"])
def test_binary_content_found_while_walking_is_named(tmp_path: Path, data: bytes) -> None:
    write(tmp_path / "tree" / "img" / "Dockerfile", data)
    write(tmp_path / "tree" / "app" / "Dockerfile", GOOD)
    proc = run("--check", "tree", cwd=tmp_path)
    out = output(proc)
    assert proc.returncode in (1, 2), out  # the good file needs changes; the binary one is skipped or an error
    assert names(out, "tree/img/Dockerfile"), out
    assert names(out, "tree/app/Dockerfile"), out


@pytest.mark.parametrize(
    "data, line, col, offset",
    [
        (b"FROM alpine:3.20\nRUN echo caf\xe9\n", 2, 13, 29),  # Latin-1
        (b"FROM alpine:3.20\nRUN echo \xe2\x82\n", 2, 10, 26),  # a truncated sequence
        (b"\xef\xbb\xbfFROM alpine:3.20\r\nLABEL a=\xc0\xaf\r\n", 2, 9, 29),  # an overlong '/', after a BOM, CRLF
        (b"\xff\xfeF\x00R\x00O\x00M\x00", 1, 1, 0),  # UTF-16
    ],
    ids=["latin-1", "truncated", "overlong-after-bom", "utf-16"],
)
def test_invalid_utf8_is_an_input_error_naming_line_column_and_offset(
    tmp_path: Path, data: bytes, line: int, col: int, offset: int
) -> None:
    write(tmp_path / "svc" / "Dockerfile", data)
    proc = run("--write", "svc/Dockerfile", cwd=tmp_path)
    out = output(proc)
    if b"\x00" in data and proc.returncode == 0:  # UTF-16 has NULs: skipping it as binary is fine too
        assert names(out, "svc/Dockerfile", "skip"), out
    else:
        assert proc.returncode == 2, out
        assert re.search(rf"^svc/Dockerfile:{line}:{col}: .*\boffset {offset}\b", out, re.M), out
    assert (tmp_path / "svc" / "Dockerfile").read_bytes() == data


def test_invalid_utf8_found_while_walking_is_named_with_its_offset(tmp_path: Path) -> None:
    write(tmp_path / "tree" / "a" / "b" / "Dockerfile.dev", b"FROM alpine:3.20\nRUN echo caf\xe9\n")
    proc = run("--check", "tree", cwd=tmp_path)
    out = output(proc)
    assert proc.returncode == 2, out
    assert re.search(r"^tree/a/b/Dockerfile\.dev:2:13: .*\boffset 29\b", out, re.M), out


@pytest.mark.parametrize(
    "data",
    [b"", b"\n\n  \n", b"# only a comment\n", b"# syntax=docker/dockerfile:1\n# escape=`\n", b"\xef\xbb\xbf"],
    ids=["empty", "blank-lines", "comment", "directives", "bom-only"],
)
@pytest.mark.parametrize("mode", ["--check", "--write", "--diff"])
def test_a_file_without_instructions_is_skipped_by_name(tmp_path: Path, data: bytes, mode: str) -> None:
    write(tmp_path / "svc" / "Dockerfile", data)
    proc = run(mode, "svc/Dockerfile", cwd=tmp_path)
    out = output(proc)
    assert proc.returncode == 0, out
    assert names(out, "svc/Dockerfile", "no instructions"), out
    assert names(out, "svc/Dockerfile", "skip"), out
    assert (tmp_path / "svc" / "Dockerfile").read_bytes() == data


def test_a_ten_megabyte_file_is_processed_or_skipped_within_seconds(tmp_path: Path) -> None:
    line = "RUN echo " + "x" * 90 + "\n"
    text = "FROM alpine:3.20\n" + line * (10 * 1024 * 1024 // len(line))
    write(tmp_path / "svc" / "Dockerfile", text)
    start = time.monotonic()
    proc = run("--write", "svc/Dockerfile", cwd=tmp_path, timeout=60)
    elapsed = time.monotonic() - start
    out = output(proc)
    assert elapsed < 20, f"{elapsed:.1f} s for a 10 MB file"
    assert proc.returncode in (0, 2), out
    if proc.returncode == 2 or re.search(r"\bskip", out, re.I):  # rejected, or skipped: say which file and why
        assert names(out, "svc/Dockerfile", "skip", "large", "size", "MB", "MiB"), out


# --- paths that are not regular, readable files --------------------------------------------------


def test_a_directory_named_dockerfile_passed_explicitly(tmp_path: Path) -> None:
    (tmp_path / "svc" / "Dockerfile").mkdir(parents=True)
    write(tmp_path / "svc" / "Dockerfile" / "app.py", "print('hi')\n")
    proc = run("--check", "svc/Dockerfile", cwd=tmp_path)
    assert_skipped_or_rejected(proc, "svc/Dockerfile")


def test_a_directory_named_dockerfile_holding_one_is_searched(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile" / "Dockerfile", GOOD)
    proc = run("--check", "Dockerfile", cwd=tmp_path)
    out = output(proc)
    assert proc.returncode == 1, out
    assert names(out, "Dockerfile/Dockerfile"), out


def test_a_directory_named_dockerfile_found_while_walking(tmp_path: Path) -> None:
    write(tmp_path / "tree" / "svc" / "Dockerfile" / "app.py", "print('hi')\n")
    write(tmp_path / "tree" / "svc" / "Containerfile" / "nested" / "Dockerfile", GOOD)
    write(tmp_path / "tree" / "api" / "Dockerfile", GOOD)
    proc = run("--write", "tree", cwd=tmp_path)
    out = output(proc)
    assert proc.returncode == 0, out
    assert "is a directory" not in out, out
    for p in ("tree/api/Dockerfile", "tree/svc/Containerfile/nested/Dockerfile"):
        assert (tmp_path / p).read_text(encoding="utf-8") != GOOD, f"{p} was not written:\n{out}"


# Running as root (as CI containers often do), chmod 000 does not make a file unreadable:
# root bypasses permission bits. /proc/self/mem is unreadable for everyone: stat() calls it a
# regular file, but reading at offset 0 fails with EIO, as address 0 of a process is never
# mapped. It stands for any file that exists but cannot be read (a dying disk, a stale network
# mount), given explicitly and through a symbolic link named Dockerfile (explicit links are read).
@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("how", ["proc-path", "link-named-dockerfile"])
def test_an_unreadable_file_is_an_input_error_naming_it(tmp_path: Path, how: str) -> None:
    if how == "proc-path":
        arg = "/proc/self/mem"
    else:
        (tmp_path / "svc").mkdir()
        (tmp_path / "svc" / "Dockerfile").symlink_to("/proc/self/mem")
        arg = "svc/Dockerfile"
    proc = run("--write", arg, cwd=tmp_path, timeout=60)
    out = output(proc)
    assert proc.returncode == 2, out
    assert names(out, arg, "read"), out


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file (see the /proc/self/mem test instead)")
def test_a_file_without_read_permission_is_an_input_error_naming_it(tmp_path: Path) -> None:
    write(tmp_path / "svc" / "Dockerfile", GOOD, mode=0)
    try:
        proc = run("--write", "svc/Dockerfile", cwd=tmp_path)
        out = output(proc)
        assert proc.returncode == 2, out
        assert names(out, "svc/Dockerfile", "read", "permission"), out
    finally:
        (tmp_path / "svc" / "Dockerfile").chmod(0o644)
    assert (tmp_path / "svc" / "Dockerfile").read_text(encoding="utf-8") == GOOD


# A FIFO named Dockerfile: opening it for reading would wait for a writer forever.
@pytest.mark.parametrize("walk", [False, True], ids=["explicit", "walked"])
def test_a_fifo_named_dockerfile_does_not_hang(tmp_path: Path, walk: bool) -> None:
    (tmp_path / "svc").mkdir()
    os.mkfifo(tmp_path / "svc" / "Dockerfile")
    write(tmp_path / "svc" / "api" / "Dockerfile", GOOD)
    proc = run("--check", "svc" if walk else "svc/Dockerfile", cwd=tmp_path, timeout=30)
    if walk:
        out = output(proc)
        assert proc.returncode == 1, out  # api/Dockerfile needs changes; the FIFO is skipped
        assert names(out, "svc/Dockerfile", "skip", "regular", "not a file"), out
        assert names(out, "svc/api/Dockerfile"), out
    else:
        assert_skipped_or_rejected(proc, "svc/Dockerfile")


def test_a_symlink_loop_passed_explicitly(tmp_path: Path) -> None:
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "Dockerfile").symlink_to("Dockerfile")
    proc = run("--write", "svc/Dockerfile", cwd=tmp_path, timeout=30)
    assert_skipped_or_rejected(proc, "svc/Dockerfile")


def test_a_directory_loop_passed_explicitly(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", GOOD)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "b").symlink_to("..")
    proc = run("--check", "a/b", cwd=tmp_path, timeout=30)
    out = assert_skipped_or_rejected(proc, "a/b")
    assert "+++" not in out, f"followed the link:\n{out}"


def test_symlink_loops_found_while_walking(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    write(tree / "api" / "Dockerfile", GOOD)
    (tree / "self").mkdir()
    (tree / "self" / "Dockerfile").symlink_to("Dockerfile")
    (tree / "a").mkdir()
    (tree / "a" / "b").symlink_to("..")
    proc = run("--write", "tree", cwd=tmp_path, timeout=30)
    out = output(proc)
    assert proc.returncode == 0, out
    assert (tree / "api" / "Dockerfile").read_text(encoding="utf-8") != GOOD
    assert (tree / "self" / "Dockerfile").is_symlink()
    assert (tree / "a" / "b").is_symlink()
    # each file once: a second run has nothing left to do and lists api/Dockerfile as it is
    again = run("--check", "tree", cwd=tmp_path, timeout=30)
    assert again.returncode == 0, output(again)


def test_a_linked_directory_leading_out_of_the_tree_is_not_followed(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside" / "Dockerfile", GOOD)
    tree = tmp_path / "tree"
    write(tree / "api" / "Dockerfile", GOOD)
    (tree / "ext").symlink_to(tmp_path / "outside", target_is_directory=True)
    check = run("--check", "tree", cwd=tmp_path)
    out = output(check)
    assert "ext/Dockerfile" not in "".join(l for l in out.splitlines(True) if l.startswith(("---", "+++"))), out
    proc = run("--write", "tree", cwd=tmp_path)
    out = output(proc)
    assert proc.returncode == 0, out
    assert outside.read_text(encoding="utf-8") == GOOD, f"followed tree/ext out of the tree:\n{out}"
    assert (tree / "api" / "Dockerfile").read_text(encoding="utf-8") != GOOD


# --- writing -------------------------------------------------------------------------------------

# Runs the command with a hook after the engine has read and refactored the file and before the
# runner writes it: the hook appends a line to the file, as an editor saving meanwhile would.
WRAPPER = """
import sys
from pathlib import Path
import refactor.engine.engine as engine

original = engine.refactor

def refactor(text, **kw):
    result = original(text, **kw)
    with open(kw["path"], "a", encoding="utf-8") as f:
        f.write("# saved by someone else meanwhile\\n")
    Path(sys.argv[1]).write_text("called")
    return result

engine.refactor = refactor
from refactor.cli import main
sys.exit(main(sys.argv[2:]))
"""


def test_a_file_changed_on_disk_while_processed_is_not_overwritten(tmp_path: Path) -> None:
    path = write(tmp_path / "svc" / "Dockerfile", GOOD)
    wrapper = write(tmp_path / "wrapper.py", WRAPPER)
    marker = tmp_path / "hook-called"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, str(wrapper), str(marker), "--write", "svc/Dockerfile"], cwd=tmp_path,
                          capture_output=True, timeout=120, env=env)
    out = output(proc)
    assert marker.exists(), f"the runner no longer calls refactor.engine.engine.refactor; adapt the hook:\n{out}"
    assert path.read_text(encoding="utf-8") == GOOD + "# saved by someone else meanwhile\n", out
    assert proc.returncode == 2, out
    assert names(out, "svc/Dockerfile", "changed", "modified"), out
    assert sorted(p.name for p in path.parent.iterdir()) == ["Dockerfile"], "a temporary file was left"


def test_write_atomic_refuses_when_the_bytes_on_disk_differ_from_expected(tmp_path: Path) -> None:
    from refactor.runner import write_atomic

    path = write(tmp_path / "Dockerfile", "FROM alpine:3.20\nRUN true\n", mode=0o640)
    with pytest.raises(Exception):
        write_atomic(path, "FROM alpine:3.21\n", expected="FROM alpine:3.20\nRUN false\n")
    assert path.read_text(encoding="utf-8") == "FROM alpine:3.20\nRUN true\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Dockerfile"], "a temporary file was left"
    # the same bytes as expected: written, mode kept
    write_atomic(path, "FROM alpine:3.21\r\n", expected="FROM alpine:3.20\nRUN true\n")
    assert path.read_bytes() == b"FROM alpine:3.21\r\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Dockerfile"]


@pytest.mark.parametrize(
    "name, data, mode",
    [
        ("lf", GOOD, 0o644),
        ("crlf", GOOD.replace("\n", "\r\n"), 0o600),
        ("bom", "\ufeff" + GOOD, 0o664),
        ("no-final-newline", GOOD.rstrip("\n"), 0o755),
        ("bom-crlf-no-final-newline", "\ufeff" + GOOD.replace("\n", "\r\n").rstrip("\r\n"), 0o640),
    ],
    ids=lambda v: v if isinstance(v, str) and "\n" not in v else "",
)
def test_write_keeps_mode_line_endings_bom_and_final_newline(tmp_path: Path, name: str, data: str, mode: int) -> None:
    path = write(tmp_path / "svc" / "Dockerfile", data, mode=mode)
    proc = run("--write", "svc/Dockerfile", cwd=tmp_path)
    out = output(proc)
    assert proc.returncode == 0, out
    new = path.read_bytes().decode("utf-8")
    assert new != data, f"nothing written:\n{out}"
    assert stat.S_IMODE(path.stat().st_mode) == mode
    crlf = "\r\n" in data
    if crlf:
        assert new.count("\n") == new.count("\r\n"), repr(new)
    else:
        assert "\r" not in new, repr(new)
    assert new.startswith("\ufeff") == data.startswith("\ufeff"), repr(new)
    assert new.count("\ufeff") == data.count("\ufeff"), repr(new)
    assert new.endswith("\n") == data.endswith("\n"), repr(new)
    assert sorted(p.name for p in path.parent.iterdir()) == ["Dockerfile"], "a temporary file was left"
    again = run("--check", "svc/Dockerfile", cwd=tmp_path)
    assert again.returncode == 0, output(again)


@pytest.mark.parametrize("jobs", [[], ["-j", "1"], ["-j", "2"]], ids=["default", "j1", "j2"])
def test_one_bad_file_among_good_ones(tmp_path: Path, jobs: list[str]) -> None:
    tree = tmp_path / "tree"
    good = [write(tree / f"svc{i}" / "Dockerfile", GOOD) for i in range(4)]
    bad = {
        "tree/bad-parse/Dockerfile": write(tree / "bad-parse" / "Dockerfile", UNPARSABLE).read_bytes(),
        "tree/bad-bytes/Dockerfile": write(tree / "bad-bytes" / "Dockerfile", b"FROM alpine\nRUN \xff\n").read_bytes(),
    }
    check = run("--check", *jobs, "tree", cwd=tmp_path)
    out = output(check)
    assert check.returncode == 2, out  # the worst of 1 (changes) and 2 (input errors)
    for p in bad:
        assert names(out, p), out
    proc = run("--write", *jobs, "tree", cwd=tmp_path)
    out = output(proc)
    assert proc.returncode == 2, out
    for p in bad:
        assert names(out, p), out
        assert (tmp_path / p).read_bytes() == bad[p]
    for p in good:
        assert p.read_text(encoding="utf-8") != GOOD, f"{p} not written:\n{out}"


def test_a_closed_output_pipe_ends_without_a_traceback(tmp_path: Path) -> None:
    """`refactor --diff … | head -1`: the reader goes away; the command stops quietly."""
    for i in range(20):
        write(tmp_path / f"s{i}" / "Dockerfile", GOOD)
    read, write_end = os.pipe()
    os.close(read)
    try:
        proc = run("--diff", ".", cwd=tmp_path, stdout=write_end)
    finally:
        os.close(write_end)
    err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err
    assert proc.returncode != 3, err
