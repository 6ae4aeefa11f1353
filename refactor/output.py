"""What the command prints: unified diffs, one line per change, and machine-readable reports."""

from __future__ import annotations

import difflib
import json
import os
import sys
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from .engine.engine import Change, Result

__all__ = ["unified_diff", "colorize", "use_color", "text_lines", "error_location", "to_json", "to_sarif", "to_github",
           "to_gitlab"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def unified_diff(original: str | None, new: str, path: str) -> str:
    """`diff -u` of the two texts, `a/` and `b/` prefixed like git; empty when equal. An `original`
    of None is a new file: its diff is from /dev/null, as git shows one."""
    if original == new:
        return ""
    a = (original or "").splitlines(keepends=True)
    b = new.splitlines(keepends=True)
    out = []
    old_name, new_name = (path, path) if os.path.isabs(path) else (f"a/{path}", f"b/{path}")
    if original is None:
        old_name = "/dev/null"
    for line in difflib.unified_diff(a, b, old_name, new_name):
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)


def use_color(stream=None, choice: str = "auto") -> bool:
    """`--color always|never` decides; `auto` is colour on a terminal unless NO_COLOR is set
    (https://no-color.org), and FORCE_COLOR forces it."""
    if choice in ("always", "never"):
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    stream = stream or sys.stdout
    return hasattr(stream, "isatty") and stream.isatty()


_RED, _GREEN, _CYAN, _BOLD, _DIM, _RESET = "\x1b[31m", "\x1b[32m", "\x1b[36m", "\x1b[1m", "\x1b[2m", "\x1b[0m"


def colorize(diff: str) -> str:
    out = []
    for line in diff.splitlines(keepends=True):
        if line.startswith(("+++", "---")):
            out.append(_BOLD + line.rstrip("\n") + _RESET + "\n")
        elif line.startswith("@@"):
            out.append(_CYAN + line.rstrip("\n") + _RESET + "\n")
        elif line.startswith("+"):
            out.append(_GREEN + line.rstrip("\r\n") + _RESET + line[len(line.rstrip("\r\n")):])
        elif line.startswith("-"):
            out.append(_RED + line.rstrip("\r\n") + _RESET + line[len(line.rstrip("\r\n")):])
        else:
            out.append(line)
    return "".join(out)


def text_lines(result: "Result", path: str, *, color: bool = False) -> list[str]:
    """`path:line:col: CODE message` for each change, then each held-back suggestion."""
    lines = []
    for c in sorted(result.changes, key=lambda c: (c.range.start_line, c.range.start_col, c.code)):
        lines.append(_line(path, c, color))
    for c in sorted(result.suggestions, key=lambda c: (c.range.start_line, c.code)):
        advice = "use --unsafe-fixes" if c.safety == "unsafe" else "a review change, left out by --safe-only"
        if getattr(result, "stdin", False) and c.path is not None and c.path != path and c.safety != "unsafe":
            advice = f"create {c.path} yourself: from standard input only the Dockerfile is written"
        lines.append(_line(path, c, color, suffix=f" [not applied: {advice}]"))
    for code, reason in result.skipped:
        if code:
            lines.append(f"{path}: {code} skipped: {reason}")
    return lines


def _line(path: str, c: "Change", color: bool, suffix: str = "") -> str:
    code = f"{_BOLD}{c.code}{_RESET}" if color else c.code
    return f"{path}:{c.range.start_line}:{c.range.start_col}: {code} {c.message} ({c.safety}){suffix}"


# --- JSON --------------------------------------------------------------------------------------


def change_dict(c: "Change") -> dict:
    d = {
        "code": c.code,
        "path": c.path,  # the file the edit applies to: the Dockerfile, or a second file (.dockerignore)
        "title": c.title,
        "safety": c.safety,
        "message": c.message,
        "applied": c.applied,
        "range": {"start": {"line": c.range.start_line, "column": c.range.start_col},
                  "end": {"line": c.range.end_line, "column": c.range.end_col}},
        "edit": None,
    }
    if c.edit is not None:
        r = c.edit.range
        d["edit"] = {"range": {"start": {"line": r.start_line, "column": r.start_col},
                               "end": {"line": r.end_line, "column": r.end_col}},
                     "new_text": c.edit.new_text}
    return d


def file_dict(path: str, result: "Result | None", *, status: str, error: str | None = None, diff: str | None = None) -> dict:
    d: dict = {"path": path, "status": status}
    if result is not None:
        d["changes"] = [change_dict(c) for c in result.changes]
        d["suggestions"] = [change_dict(c) for c in result.suggestions]
        d["skipped"] = [{"code": code or None, "reason": reason} for code, reason in result.skipped]
    if diff is not None:
        d["diff"] = diff
    files = getattr(result, "files", None) if result is not None else None
    if files:  # second files the changes write: a proposed .dockerignore
        d["files"] = [{"path": p, "status": "created" if before is None else "changed", "text": after,
                       "diff": unified_diff(before, after, p)} for p, (before, after) in files.items()]
    if error is not None:
        d["error"] = error
        d["diagnostic"] = error_location(path, error)
    return d


def error_location(path: str, error: str) -> dict:
    """`{path, line, column, message}` of an error: line and column from its `path:line:col: message`
    first line (a parse error, bad bytes), None where it names no place in the file (cannot read,
    an internal error, a configuration file's error, which names that file instead)."""
    import re

    first = error.splitlines()[0] if error.strip() else error
    m = re.match(re.escape(path) + r":(\d+):(\d+): (.*)", first)
    if m:
        return {"path": path, "line": int(m.group(1)), "column": int(m.group(2)), "message": m.group(3)}
    message = first[len(path) + 2:] if first.startswith(path + ": ") else first
    return {"path": path, "line": None, "column": None, "message": message}


def to_json(files: list[dict]) -> str:
    return json.dumps({"version": 1, "files": files}, indent=2, ensure_ascii=False) + "\n"


# --- SARIF 2.1.0 ----------------------------------------------------------------------------


def to_sarif(files: list[dict], rules: Iterable) -> str:
    from . import __version__

    rule_list = list(rules)
    index = {r.code: i for i, r in enumerate(rule_list)}
    driver = {
        "name": "refactor",
        "informationUri": "https://pypi.org/project/dockerfile-refactor/",
        "version": __version__,
        "rules": [
            {
                "id": r.code,
                "name": _camel(r.name),
                "shortDescription": {"text": r.title},
                "fullDescription": {"text": r.rationale},
                "help": {"text": _help_text(r)},
                "properties": {"safety": str(r.safety), "resolves": list(r.resolves)},
            }
            for r in rule_list
        ],
    }
    results = []
    for f in files:
        uri = f["path"].replace(os.sep, "/")
        for key in ("changes", "suggestions"):
            for c in f.get(key, []):
                res = {
                    "ruleId": c["code"],
                    "level": "note" if c["safety"] == "safe" else "warning",
                    "message": {"text": c["message"]},
                    "locations": [{"physicalLocation": {
                        "artifactLocation": {"uri": uri},
                        "region": {"startLine": c["range"]["start"]["line"], "startColumn": c["range"]["start"]["column"],
                                   "endLine": c["range"]["end"]["line"], "endColumn": c["range"]["end"]["column"]},
                    }}],
                    "properties": {"safety": c["safety"]},
                }
                if c["code"] in index:
                    res["ruleIndex"] = index[c["code"]]
                if c.get("edit"):
                    e = c["edit"]
                    target = uri if c.get("path") in (None, f["path"]) else c["path"].replace(os.sep, "/")
                    res["fixes"] = [{
                        "description": {"text": c["message"]},
                        "artifactChanges": [{
                            "artifactLocation": {"uri": target},
                            "replacements": [{
                                "deletedRegion": {"startLine": e["range"]["start"]["line"],
                                                  "startColumn": e["range"]["start"]["column"],
                                                  "endLine": e["range"]["end"]["line"],
                                                  "endColumn": e["range"]["end"]["column"]},
                                "insertedContent": {"text": e["new_text"]},
                            }],
                        }],
                    }]
                results.append(res)
        if f.get("error"):
            where = error_location(f["path"], f["error"])
            location: dict = {"artifactLocation": {"uri": uri}}
            if where["line"] is not None:
                location["region"] = {"startLine": where["line"], "startColumn": where["column"]}
            results.append({
                "ruleId": "E001",
                "level": "error",
                "message": {"text": f["error"]},
                "locations": [{"physicalLocation": location}],
            })
    sarif = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [{"tool": {"driver": driver}, "results": results}]}
    return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"


def _camel(name: str) -> str:
    return "".join(p.capitalize() for p in name.split("-"))


def _help_text(rule) -> str:
    doc = rule.doc()
    return "\n\n".join(f"{k}:\n{v}" for k, v in doc.items()) or rule.rationale


# --- GitHub Actions workflow commands ------------------------------------------------------


def to_github(files: list[dict]) -> str:
    out = []
    for f in files:
        for key in ("changes", "suggestions"):
            for c in f.get(key, []):
                level = "notice" if c["safety"] == "safe" else "warning"
                props = (f"file={_prop(f['path'])},line={c['range']['start']['line']},"
                         f"col={c['range']['start']['column']},title={_prop(c['code'] + ' ' + c['title'])}")
                out.append(f"::{level} {props}::{_data(c['message'])}")
        if f.get("error"):
            where = error_location(f["path"], f["error"])
            if where["line"] is not None:  # the annotation sits on the line; the text after the first line
                rest = f["error"].split("\n", 1)[1:]  # shows the source line and a caret under the column
                text = "\n".join([where["message"], *rest])
                out.append(f"::error file={_prop(f['path'])},line={where['line']},col={where['column']},"
                           f"title={_prop('E001 cannot be read or parsed')}::{_data(text)}")
            else:
                out.append(f"::error file={_prop(f['path'])}::{_data(f['error'])}")
    return "\n".join(out) + ("\n" if out else "")


def _data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(s: str) -> str:
    return _data(s).replace(":", "%3A").replace(",", "%2C")


# --- GitLab Code Quality (CodeClimate-style JSON) ------------------------------------------------

GITLAB_SEVERITY = {"safe": "minor", "review": "minor", "unsafe": "info"}


def to_gitlab(files: list[dict], line_text: dict[str, dict[int, str]] | None = None) -> str:
    """A GitLab Code Quality report: a JSON array with one issue per change or suggestion.

    Each issue has `description`, `check_name`, `fingerprint`, `severity` and
    `location: {path, lines: {begin}}`. Changes at the default levels are `minor`;
    unsafe ones (suggestions unless --unsafe-fixes) are `info`; a file that cannot be
    read or parsed is `major`. The fingerprint is the SHA-256 of the path, the rule
    code and the text of the line the change starts on (`line_text[path][line]`; the
    line number where that is not known), so an issue keeps its fingerprint when lines
    are added above it and GitLab can tell new issues from fixed ones. The same code on
    equal lines of one file is counted (`#2`, `#3` …): GitLab shows one issue per
    fingerprint.
    """
    line_text = line_text or {}
    issues: list[dict] = []
    for f in files:
        path = _gitlab_path(f["path"])
        texts = line_text.get(f["path"], {})
        seen: dict[tuple[str, str], int] = {}
        found = [c for key in ("changes", "suggestions") for c in f.get(key, [])]
        for c in sorted(found, key=lambda c: (c["range"]["start"]["line"], c["range"]["start"]["column"], c["code"])):
            line = c["range"]["start"]["line"]
            anchor = texts[line].strip() if line in texts else f"line {line}"
            severity = GITLAB_SEVERITY.get(c["safety"], "minor")
            issues.append(_gitlab_issue(path, c["code"], f"{c['code']} {c['message']}", severity, line, anchor, seen))
        if f.get("error"):
            first = f["error"].splitlines()[0] if f["error"].strip() else f["error"]  # not an internal error's traceback
            issues.append(_gitlab_issue(path, "E001", first, "major", _error_line(first), first, seen))
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


def _gitlab_issue(path: str, code: str, description: str, severity: str, line: int, anchor: str,
                  seen: dict[tuple[str, str], int]) -> dict:
    import hashlib

    n = seen[(code, anchor)] = seen.get((code, anchor), 0) + 1
    key = "\0".join((path, code, anchor) + ((f"#{n}",) if n > 1 else ()))
    return {
        "type": "issue",
        "description": description,
        "check_name": code,
        "fingerprint": hashlib.sha256(key.encode("utf-8")).hexdigest(),
        "severity": severity,
        "location": {"path": path, "lines": {"begin": max(1, line)}},
    }


def _gitlab_path(path: str) -> str:
    """Relative to where the command ran (the repository root in CI), with forward slashes."""
    path = path.replace(os.sep, "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def _error_line(error: str) -> int:
    """The line of a `path:line:col: message` error; 1 when it names none."""
    import re

    m = re.match(r"[^\n]*?:(\d+):\d+: ", error)
    return int(m.group(1)) if m else 1
