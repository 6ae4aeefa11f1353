"""docs/parity.md: every hadolint rule and BuildKit check has the rule that fixes it, or says why none does."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from refactor.rules import all_rules

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("parity", ROOT / "docs" / "parity.py")
parity = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(parity)

DATA = parity.checks()
FIXED_BY = parity.resolvers()
ENTRIES = {code: entry for key in ("hadolint", "buildkit") for code, entry in DATA[key].items()}


def test_parity_doc_is_generated_from_the_rules_and_the_lists() -> None:
    assert (ROOT / "docs" / "parity.md").read_text(encoding="utf-8") == parity.render(), \
        "docs/parity.md is out of date: run `python docs/parity.py`"


def test_the_lists_hold_every_hadolint_rule_and_buildkit_check() -> None:
    assert len(DATA["hadolint"]) == 71  # hadolint 2.15.1: src/Hadolint/Rule/DL*.hs
    assert len(DATA["buildkit"]) == 22  # BuildKit v0.32's build checks
    assert all(code.startswith(("DL1", "DL3", "DL4")) for code in DATA["hadolint"])


def test_every_code_a_rule_resolves_is_a_known_check() -> None:
    unknown = sorted({code for r in all_rules() for code in r.resolves
                      if not code.startswith("SC") and code not in ENTRIES})
    assert not unknown, f"rules resolve checks the lists do not know: {unknown}"


def test_every_check_is_fixed_or_says_why_not() -> None:
    silent = sorted(code for code, entry in ENTRIES.items()
                    if code not in FIXED_BY and "why" not in entry and "pending" not in entry)
    assert not silent, f"neither fixed nor explained: {silent}"
    for code, entry in ENTRIES.items():
        if "why" in entry:
            assert entry["why"] in parity._WHY and entry.get("note"), code


def test_a_fixed_check_gives_no_reason_left() -> None:
    stale = sorted(f"{code} (fixed by {', '.join(r.code for r in FIXED_BY[code])})"
                   for code, entry in ENTRIES.items() if code in FIXED_BY and ("why" in entry or "pending" in entry))
    assert not stale, f"drop `why`/`pending` in tests/parity_checks.toml for: {stale}"


def test_pending_checks_wait_for_their_rules() -> None:
    """Checks a rule being written will fix: listed here until a rule's `resolves` names them."""
    waiting = [f"{code} ({entry['pending']})" for code, entry in ENTRIES.items()
               if "pending" in entry and code not in FIXED_BY]
    if waiting:
        pytest.skip(f"{len(waiting)} checks wait for a rule to resolve them: {'; '.join(waiting)}")
