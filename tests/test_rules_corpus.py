"""Rule fixtures: corpus/rules/<CODE>/<case>/ holds a Dockerfile, the build-context files it
reasons about, and `expected`, the output with only that rule selected. No `expected`
means the rule must leave the file alone. `expected.dockerignore` is the `.dockerignore` the
run writes at the context's root (CX rules); without it, the run must write none. An optional
`case.toml` says more:

    level = "unsafe"            # the fix level to run at (default "review")
    select = ["HY001", "HY003"] # rules to run (default: the folder's code)
    skipped = "substring"       # the rule must report a skip with this reason
    suggested = true            # the rule must hold back an unsafe suggestion
    message = "substring"       # a change (or held-back suggestion) of the rule says this
    hadolint = false            # hadolint cannot judge this case (say why in a comment)
    pin-date = "2025-01-01"     # Options for the run, as in [tool.refactor]
    pin-table = "table.toml"    # (relative to the case folder)
    user-id = 4242              # the uid US001 gives its user
    buildkit = false            # the legacy builder (no BuildKit-only syntax)
    syntax-directive = false    # no `# syntax=` line
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from refactor.engine.engine import refactor
from refactor.model import Options
from refactor.rules import all_rules, rule_by_code

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "rules"
CASES = sorted(p.parent for p in CORPUS.glob("*/*/Dockerfile")) if CORPUS.is_dir() else []


def _id(case: Path) -> str:
    return f"{case.parent.name}/{case.name}"


def load_case(case: Path) -> dict:
    spec = {}
    if (case / "case.toml").is_file():
        spec = tomllib.loads((case / "case.toml").read_text(encoding="utf-8"))
    text = (case / "Dockerfile").read_bytes().decode("utf-8")
    expected_path = case / "expected"
    expected = expected_path.read_bytes().decode("utf-8") if expected_path.is_file() else text
    ignore_path = case / "expected.dockerignore"
    ignore = ignore_path.read_bytes().decode("utf-8") if ignore_path.is_file() else None
    return {"text": text, "expected": expected, "spec": spec, "code": case.parent.name, "ignore": ignore}


def fires(c: dict) -> bool:
    return c["expected"] != c["text"] or c["ignore"] is not None


def run_case(case: Path):
    c = load_case(case)
    spec = c["spec"]
    result = refactor(
        c["text"],
        path=str(case / "Dockerfile"),
        context=case,
        select=spec.get("select", [c["code"]]),
        level=spec.get("level", "review"),
        options=case_options(case, spec),
    )
    return c, result


def case_options(case: Path, spec: dict) -> Options:
    table = spec.get("pin-table")
    return Options(pin_date=spec.get("pin-date"), pin_table=str(case / table) if table else None,
                   user_id=spec.get("user-id"), buildkit=spec.get("buildkit", True),
                   syntax_directive=spec.get("syntax-directive", True))


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_rule_fixture_gives_the_expected_output(case: Path) -> None:
    c, result = run_case(case)
    assert result.code == c["expected"]
    written = {Path(p).name: text for p, text in result.other_files.items()}
    assert written == ({".dockerignore": c["ignore"]} if c["ignore"] is not None else {})
    spec = c["spec"]
    if "skipped" in spec:
        reasons = [reason for code, reason in result.skipped if code == c["code"]]
        assert any(spec["skipped"] in r for r in reasons), reasons
    if spec.get("suggested"):
        assert any(s.code == c["code"] for s in result.suggestions)
    if "message" in spec:
        messages = [ch.message for ch in (*result.changes, *result.suggestions) if ch.code == c["code"]]
        assert any(spec["message"] in m for m in messages), messages
    if fires(c):
        assert any(ch.code == c["code"] for ch in result.changes), "the change is reported under the rule's code"


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_rule_fixture_output_is_stable(case: Path) -> None:
    c, result = run_case(case)
    again = refactor(result.code, path="Dockerfile", context=case, select=c["spec"].get("select", [c["code"]]),
                     level=c["spec"].get("level", "review"), options=case_options(case, c["spec"]))
    assert again.code == result.code
    # a second file is not written by the API: proposing it again is the same proposal, not a new change
    assert [ch for ch in again.changes if ch.path == "Dockerfile"] == []
    assert sorted(again.other_files.values()) == sorted(result.other_files.values())


def test_every_rule_has_fixtures_that_fire_and_fixtures_that_do_not() -> None:
    for rule in all_rules():
        cases = [p for p in CASES if p.parent.name == rule.code]
        fired = [p for p in cases if fires(load_case(p))]
        quiet = [p for p in cases if not fires(load_case(p))]
        if rule.reports_only:  # it never edits: its firing cases assert the reason it gives
            fired = [p for p in cases if "skipped" in load_case(p)["spec"]]
        assert fired or rule.network, f"{rule.code} has no fixture where it fires"
        assert quiet, f"{rule.code} has no fixture where it must not fire"


def test_fixture_folders_name_existing_rules() -> None:
    for case in CASES:
        assert rule_by_code(case.parent.name) is not None, case
