"""BuildKit's own parser test cases, run locally against a checkout of moby/buildkit.

They are not ours to commit. Point BUILDKIT_TESTFILES at
`frontend/dockerfile/parser/testfiles` of a checkout to run them:

    BUILDKIT_TESTFILES=~/src/buildkit/frontend/dockerfile/parser/testfiles pytest tests/test_buildkit_testfiles.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from refactor import ParseError, parse

ROOT = os.environ.get("BUILDKIT_TESTFILES")
CASES = sorted(p for p in Path(ROOT).iterdir() if (p / "Dockerfile").is_file()) if ROOT else []


@pytest.mark.skipif(not ROOT, reason="BUILDKIT_TESTFILES is not set")
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_buildkit_testfile_dumps_like_buildkit(case: Path) -> None:
    text = (case / "Dockerfile").read_bytes().decode("utf-8")
    expected = (case / "result").read_text(encoding="utf-8")
    try:
        df = parse(text, strict=False)
    except ParseError as e:
        pytest.fail(f"we reject a file BuildKit accepts: {e}")
    assert df.code == text
    assert df.dump() == expected


NEGATIVE = Path(ROOT).parent / "testfiles-negative" if ROOT else None
NEGATIVE_CASES = sorted(p for p in NEGATIVE.iterdir() if (p / "Dockerfile").is_file()) if NEGATIVE else []
# DESIGN.md: a file with no instructions parses (and is reported as skipped); BuildKit rejects it.
NO_INSTRUCTIONS = {"empty_dockerfile", "only_comments"}


@pytest.mark.skipif(not ROOT, reason="BUILDKIT_TESTFILES is not set")
@pytest.mark.parametrize("case", NEGATIVE_CASES, ids=[c.name for c in NEGATIVE_CASES])
def test_buildkit_negative_testfile_is_rejected(case: Path) -> None:
    text = (case / "Dockerfile").read_bytes().decode("utf-8")
    if case.name in NO_INSTRUCTIONS:
        assert parse(text).instructions == ()
        return
    with pytest.raises(ParseError):
        parse(text, strict=False)
