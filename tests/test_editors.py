"""The editor configurations in docs/editors/, each run the way its editor runs it.

Each file names a command line. These tests take that exact line out of the file, put a real
Dockerfile where the editor's placeholder stands, run it with the `refactor` of this
environment, and read the output the way the editor would: through the problem matcher, the
errorformat, the output filter or the compilation regexp that the same file defines. What the
output must link is told independently, by the JSON report of the same file. Where Vim or
Emacs is installed, the configuration is also loaded into the real editor.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EDITORS = ROOT / "docs" / "editors"
EXAMPLE = ROOT / "corpus" / "examples" / "python-flask"
BROKEN = "FROM python:3.12-slim\nRUN echo hi\nCOPY --from= x\n"  # line 3: COPY without a destination
ENV = {**{k: v for k, v in os.environ.items() if k != "FORCE_COLOR"},
       "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")}
OTHERS = {"neovim-lsp.lua"}  # the language server's setup, covered by tests/test_lsp.py


def config(name: str) -> str:
    return (EDITORS / name).read_text()


def run(command: list[str] | str, cwd: Path, stdin: str | None = None, env: dict | None = None):
    """Run as the editor does: a string through the shell, a list as a process."""
    return subprocess.run(command, shell=isinstance(command, str), cwd=cwd, input=stdin, capture_output=True,
                          text=True, env={**ENV, **(env or {})}, timeout=60)


def lines(out: subprocess.CompletedProcess) -> list[str]:
    """What the editor reads: both streams (a terminal, a console, `2>&1| tee`)."""
    return (out.stdout + out.stderr).splitlines()


@pytest.fixture(scope="module")
def dockerfile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project to read, shared by the tests that only read it (they run refactor ~20 times)."""
    project = tmp_path_factory.mktemp("editors") / "project"
    shutil.copytree(EXAMPLE, project)
    return project / "Dockerfile"


@pytest.fixture
def writable(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE, tmp_path / "project")
    return tmp_path / "project" / "Dockerfile"


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("broken") / "Dockerfile"
    path.write_text(BROKEN)
    return path


@functools.cache
def expected_changes(path: Path) -> list[tuple[str, int, int, str, str]]:
    """(file, line, column, code, safety) of every change and held-back suggestion refactor reports."""
    out = run(["refactor", "--check", "--format", "json", str(path)], cwd=path.parent)
    (report,) = json.loads(out.stdout)["files"]
    return sorted((report["path"], c["range"]["start"]["line"], c["range"]["start"]["column"], c["code"], c["safety"])
                  for c in report["changes"] + report["suggestions"])


@functools.cache
def safe_fixed(path: Path) -> str:
    out = run(["refactor", "-", "--safe-only", "--stdin-filename", str(path)], cwd=path.parent,
              stdin=path.read_text())
    assert out.returncode == 0 and out.stdout != path.read_text()
    return out.stdout


# --- VS Code -----------------------------------------------------------------------------------

SEVERITY = {"review": "warning", "unsafe": "warning", "safe": "info"}


def vscode_task(path: Path) -> tuple[subprocess.CompletedProcess, list[dict]]:
    (task,) = json.loads(config("vscode-tasks.json"))["tasks"]
    assert task["type"] == "process"
    argv = [task["command"], *(a.replace("${file}", str(path)) for a in task["args"])]
    return run(argv, cwd=path.parent, env=task["options"]["env"]), task["problemMatcher"]


def problems(output: list[str], matchers: list[dict]) -> list[tuple]:
    """The Problems panel: each line matched by at most one matcher (they are meant to be disjoint)."""
    found = []
    for line in output:
        hits = [(m, h) for m in matchers if (h := re.match(m["pattern"]["regexp"], line))]
        assert len(hits) <= 1, line
        for m, h in hits:
            p = m["pattern"]
            found.append((h[p["file"]], int(h[p["line"]]), int(h[p["column"]]), p.get("code") and h[p["code"]],
                          m["severity"]))
    return sorted(found)


def test_vscode_task_lists_every_change_in_problems_with_its_severity(dockerfile: Path) -> None:
    out, matchers = vscode_task(dockerfile)
    assert out.returncode == 1, out.stderr
    assert problems(lines(out), matchers) == sorted(
        (f, ln, col, code, SEVERITY[safety]) for f, ln, col, code, safety in expected_changes(dockerfile))


def test_vscode_task_shows_a_parse_error_as_an_error(broken: Path) -> None:
    out, matchers = vscode_task(broken)
    assert out.returncode == 2
    assert problems(lines(out), matchers) == [(str(broken), 3, 1, None, "error")]


def vscode_formatter(path: Path, workspace: Path) -> subprocess.CompletedProcess:
    settings = json.loads(config("vscode-settings.json"))
    assert settings["[dockerfile]"] == {"editor.defaultFormatter": "jkillian.custom-local-formatters",
                                        "editor.formatOnSave": True}
    (formatter,) = settings["customLocalFormatters.formatters"]
    assert formatter["languages"] == ["dockerfile"]
    # the extension substitutes ${file} and runs the command through a shell in the workspace root
    return run(formatter["command"].replace("${file}", str(path)), cwd=workspace, stdin=path.read_text())


def test_vscode_format_on_save_replaces_the_document_with_the_safe_fixes(dockerfile: Path) -> None:
    out = vscode_formatter(dockerfile, workspace=dockerfile.parent.parent)
    assert (out.returncode, out.stdout, out.stderr) == (0, safe_fixed(dockerfile), "")


def test_vscode_format_on_save_leaves_a_broken_file_alone(broken: Path) -> None:
    out = vscode_formatter(broken, workspace=broken.parent.parent)
    assert (out.returncode, out.stdout) == (2, "")
    assert out.stderr.startswith(f"{broken}:3:1: ")


# --- JetBrains ---------------------------------------------------------------------------------

FILE_PATH, NUMBER = r"((?:[A-Za-z]:)?[0-9 a-z_A-Z\-\\./]+)", "([0-9]+)"  # as RegexpFilter expands the macros


def jetbrains_tools() -> dict[str, dict[str, str]]:
    tools = {}
    for tool in ET.fromstring(config("jetbrains-external-tools.xml")).iter("tool"):
        options = {o.get("name"): o.get("value") for o in tool.iter("option")}
        tools[tool.get("name")] = {**options, "synchronizeAfterRun": tool.get("synchronizeAfterRun")}
    return tools


def jetbrains_run(tool: dict[str, str], path: Path) -> tuple[subprocess.CompletedProcess, list[tuple]]:
    argv = [tool["COMMAND"], *shlex.split(tool["PARAMETERS"].replace("$FilePath$", str(path)))]
    out = run(argv, cwd=Path(tool["WORKING_DIRECTORY"].replace("$ProjectFileDir$", str(path.parent))))
    expression = tool["REGEXP"]
    order = sorted((m for m in ("$FILE_PATH$", "$LINE$", "$COLUMN$") if m in expression), key=expression.index)
    pattern = re.compile(expression.replace("$FILE_PATH$", FILE_PATH).replace("$LINE$", NUMBER)
                         .replace("$COLUMN$", NUMBER), re.MULTILINE)
    links = []
    for line in lines(out):
        if h := pattern.search(line):
            at = {macro: h[i + 1] for i, macro in enumerate(order)}
            links.append((at["$FILE_PATH$"], int(at["$LINE$"]), int(at["$COLUMN$"]), line.split()[1]))
    return out, sorted(links)


def test_jetbrains_check_tool_links_every_change_line(dockerfile: Path) -> None:
    out, links = jetbrains_run(jetbrains_tools()["refactor: check"], dockerfile)
    assert out.returncode == 1, out.stderr
    assert links == [(f, ln, col, code) for f, ln, col, code, _ in expected_changes(dockerfile)]


def test_jetbrains_fix_tool_writes_the_safe_fixes_and_links_its_lines(writable: Path, dockerfile: Path) -> None:
    tool = jetbrains_tools()["refactor: apply safe fixes"]
    assert tool["synchronizeAfterRun"] == "true"  # the IDE reloads the file it rewrote
    expected = safe_fixed(dockerfile)  # the same text in another place
    out, links = jetbrains_run(tool, writable)
    assert out.returncode == 0, out.stderr
    assert writable.read_text() == expected
    assert links and all(f == str(writable) for f, *_ in links)
    assert len(links) == sum(1 for line in lines(out) if line.startswith(f"{writable}:"))


# --- Neovim ------------------------------------------------------------------------------------


def conform_formatter(path: Path) -> subprocess.CompletedProcess:
    lua = config("neovim-format.lua")
    assert re.search(r'dockerfile\s*=\s*\{\s*"refactor"\s*\}', lua)
    block = lua[lua.index("refactor = {"):]
    command = re.search(r'command\s*=\s*"([^"]+)"', block)[1]
    args = re.findall(r'"([^"]*)"', re.search(r"args\s*=\s*\{([^}]*)\}", block)[1])
    assert re.search(r"stdin\s*=\s*true", block) and "exit_codes" not in block  # success is exit 0 alone
    return run([command, *(a.replace("$FILENAME", str(path)) for a in args)], cwd=path.parent,
               stdin=path.read_text())


def test_neovim_conform_formatter_returns_the_whole_file_with_the_safe_fixes(dockerfile: Path) -> None:
    out = conform_formatter(dockerfile)
    assert (out.returncode, out.stdout, out.stderr) == (0, safe_fixed(dockerfile), "")


def test_neovim_conform_formatter_fails_on_a_broken_file_so_the_buffer_stays(broken: Path) -> None:
    out = conform_formatter(broken)
    assert (out.returncode, out.stdout) == (2, "")
    assert out.stderr.startswith(f"{broken}:3:1: ")


# --- Vim ---------------------------------------------------------------------------------------


def vim_option(name: str) -> str:
    value = re.search(rf"setlocal {name}=((?:\\.|\S)+)", config("vimrc"))[1]
    return re.sub(r"\\(.)", r"\1", value)


def errorformat_to_regexes(efm: str) -> list[tuple[bool, re.Pattern]]:
    """(ignore, regex) per errorformat entry, for the items this errorformat uses."""
    items = {"%f": r"(?P<file>.+?)", "%l": r"(?P<line>\d+)", "%c": r"(?P<col>\d+)", "%m": r"(?P<message>.*)",
             "%.%#": ".*", "%%": "%"}
    entries = []
    for entry in re.split(r"(?<!\\),", efm):
        ignore = entry.startswith("%-G")
        body = entry[3:] if ignore else entry
        parts = re.split(r"(%\.%#|%[flcm%])", body)
        entries.append((ignore, re.compile("".join(items.get(p, re.escape(p)) for p in parts) + "$")))
    return entries


def quickfix(output: list[str]) -> list[tuple]:
    entries = errorformat_to_regexes(vim_option("errorformat"))
    found = []
    for line in output:
        for ignore, regex in entries:
            if h := regex.match(line):
                if not ignore:
                    found.append((h["file"], int(h["line"]), int(h["col"]), h["message"]))
                break
        else:
            pytest.fail(f"the errorformat neither reads nor drops {line!r}")
    return sorted(found)


def vim_make(path: Path) -> subprocess.CompletedProcess:
    makeprg = vim_option("makeprg").replace("%:S", shlex.quote(str(path)))
    return run(f"{makeprg} 2>&1", cwd=path.parent)  # :make pipes through 'shellpipe', 2>&1| tee


def test_vim_errorformat_links_every_change_line(dockerfile: Path) -> None:
    out = vim_make(dockerfile)
    assert out.returncode == 1
    assert [(f, ln, col, message.split()[0]) for f, ln, col, message in quickfix(lines(out))] == [
        (f, ln, col, code) for f, ln, col, code, _ in expected_changes(dockerfile)]


def test_vim_errorformat_links_a_parse_error(broken: Path) -> None:
    out = vim_make(broken)
    assert out.returncode == 2
    assert [entry[:3] for entry in quickfix(lines(out))] == [(str(broken), 3, 1)]


def vim_format(path: Path) -> subprocess.CompletedProcess:
    prefix = re.search(r"let l:cmd = '([^']*)' \. shellescape\(expand\('%:p'\)\)", config("vimrc"))[1]
    return run(prefix + shlex.quote(str(path)), cwd=path.parent, stdin=path.read_text())


def test_vim_format_command_prints_only_the_new_file(dockerfile: Path) -> None:
    out = vim_format(dockerfile)  # system() reads stdout and stderr together: stderr must stay empty
    assert (out.returncode, out.stdout, out.stderr) == (0, safe_fixed(dockerfile), "")


def test_vim_format_command_fails_on_a_broken_file(broken: Path) -> None:
    out = vim_format(broken)
    assert (out.returncode, out.stdout) == (2, "")


@pytest.mark.skipif(shutil.which("vim") is None, reason="vim is not installed")
def test_vim_itself_fills_the_quickfix_list_and_formats_the_buffer(dockerfile: Path, tmp_path: Path) -> None:
    qf, buf = tmp_path / "qf.txt", tmp_path / "buf.txt"
    script = ["filetype on", f"source {EDITORS / 'vimrc'}", f"edit {dockerfile}", "silent make",
              f"call writefile(map(getqflist(), {{_, e -> e.lnum . ':' . e.col . ':' . e.text}}), '{qf}')",
              "RefactorFormat", f"call writefile(getline(1, '$'), '{buf}')", "qa!"]
    args = [a for command in script for a in ("-c", command)]
    subprocess.run(["vim", "-Nu", "NONE", "-i", "NONE", "-es", *args], env=ENV, capture_output=True, timeout=60)
    entries = [entry.split(maxsplit=1)[0] for entry in qf.read_text().splitlines()]
    assert sorted(entries) == sorted(f"{ln}:{col}:{code}" for _, ln, col, code, _ in expected_changes(dockerfile))
    assert buf.read_text() == safe_fixed(dockerfile)


# --- Emacs -------------------------------------------------------------------------------------


def elisp_string(literal: str) -> str:
    return re.sub(r'\\(.)', lambda m: {"t": "\t", "n": "\n"}.get(m[1], m[1]), literal[1:-1])


def emacs_regex_to_python(regex: str) -> str:
    """Emacs regexps write groups and alternatives as \\( \\) \\|, and ( ) | plainly mean themselves."""
    out, i = [], 0
    while i < len(regex):
        if regex[i] == "\\" and i + 1 < len(regex) and regex[i + 1] in "()|{}":
            out.append(regex[i + 1])
            i += 2
        elif regex[i] == "[":
            end = regex.index("]", i + 2)
            out.append(regex[i:end + 1])
            i = end + 1
        else:
            out.append("\\" + regex[i] if regex[i] in "()|{}" else regex[i])
            i += 1
    return "".join(out)


def emacs_compile(path: Path) -> tuple[subprocess.CompletedProcess, list[tuple]]:
    el = config("emacs.el")
    prefix = elisp_string(re.search(r'\(concat ("[^"]*") \(shell-quote-argument buffer-file-name\)\)', el)[1])
    out = run(prefix + shlex.quote(str(path)), cwd=path.parent)
    entry = re.search(r"'\(refactor\s+(\"(?:[^\"\\]|\\.)*\")\s+(\d) (\d) (\d) \((\d) \. (\d)\)\)", el)
    regex = re.compile(emacs_regex_to_python(elisp_string(entry[1])))
    file, line, col, warning, info = (int(g) for g in entry.groups()[1:])
    found = []
    for text in lines(out):
        if h := regex.match(text):
            kind = "warning" if h[warning] else "info" if h[info] else "error"
            found.append((h[file], int(h[line]), int(h[col]), text[h.end(col) + 2:].split()[0], kind))
    return out, sorted(found)


def test_emacs_compilation_regexp_links_every_change_with_its_type(dockerfile: Path) -> None:
    out, found = emacs_compile(dockerfile)
    assert out.returncode == 1
    assert found == sorted((f, ln, col, code, SEVERITY[safety])
                           for f, ln, col, code, safety in expected_changes(dockerfile))


def test_emacs_compilation_regexp_shows_a_parse_error_as_an_error(broken: Path) -> None:
    out, found = emacs_compile(broken)
    assert out.returncode == 2
    assert [(f, ln, col, kind) for f, ln, col, _, kind in found] == [(str(broken), 3, 1, "error")]


def test_emacs_flymake_command_reads_the_buffer_and_returns_only_the_change_lines(dockerfile: Path) -> None:
    command = re.search(r":command \(list ((?:\"(?:[^\"\\]|\\.)*\" )+)file\)", config("emacs.el"))[1]
    argv = [elisp_string(s) for s in re.findall(r'"(?:[^"\\]|\\.)*"', command)] + [str(dockerfile)]
    out = run(argv, cwd=dockerfile.parent, stdin=dockerfile.read_text())
    line = re.compile("^" + re.escape(str(dockerfile)) + r":(\d+):(\d+): (\S+)")
    found = sorted((str(dockerfile), int(h[1]), int(h[2]), h[3]) for t in lines(out) if (h := line.match(t)))
    assert found == [(f, ln, col, code) for f, ln, col, code, _ in expected_changes(dockerfile)]
    assert "FROM " not in out.stdout  # the refactored file itself is thrown away


@pytest.mark.skipif(shutil.which("emacs") is None, reason="emacs is not installed")
def test_emacs_itself_reports_flymake_diagnostics(dockerfile: Path) -> None:
    script = f"""
      (progn
        (load {json.dumps(str(EDITORS / "emacs.el"))} nil t)
        (find-file {json.dumps(str(dockerfile))})
        (let (result done)
          (refactor-flymake (lambda (diagnostics &rest _) (setq result diagnostics done t)))
          (while (not done) (accept-process-output nil 0.05))
          (dolist (d result)
            (princ (format "%d %s %s\\n" (line-number-at-pos (flymake-diagnostic-beg d))
                           (flymake-diagnostic-type d) (car (split-string (flymake-diagnostic-text d))))))))"""
    out = subprocess.run(["emacs", "--batch", "-Q", "--eval", script], env=ENV, capture_output=True, text=True,
                         timeout=60)
    kinds = {"review": ":warning", "unsafe": ":warning", "safe": ":note"}
    assert sorted(out.stdout.split("\n")[:-1]) == sorted(
        f"{ln} {kinds[safety]} {code}" for _, ln, _, code, safety in expected_changes(dockerfile)), out.stderr


# --- the documentation -------------------------------------------------------------------------


def test_every_configuration_file_is_run_by_a_test_here() -> None:
    source = Path(__file__).read_text()
    for path in EDITORS.iterdir():
        if path.name not in OTHERS:
            assert f'config("{path.name}")' in source, f"no test runs docs/editors/{path.name}"


def test_editors_page_links_each_file_and_shows_them_as_they_are() -> None:
    page = (ROOT / "docs" / "editors.md").read_text()
    for name in {p.name for p in EDITORS.iterdir()} | OTHERS:
        assert f"(editors/{name})" in page, f"docs/editors.md does not link {name}"
    shown = re.findall(r"^```\w*\n(.*?)^```$", page, re.DOTALL | re.MULTILINE)
    files = {p.read_text() for p in EDITORS.iterdir() if p.name not in OTHERS}
    assert shown and all(block in files for block in shown)
    assert files <= set(shown)
