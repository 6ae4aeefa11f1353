"""Property tests over generated Dockerfiles (tests/strategies.py): lossless, and read as BuildKit reads them.

The generator mixes every instruction, flags, continuations with comment and
blank lines between them, heredocs, CRLF, a BOM, both escape characters and
non-ASCII text. For each file: `parse(text).code == text`; our reading equals
BuildKit's (the `dockerfile` package) or both reject it; and the refactored
output is again a Dockerfile BuildKit accepts, stable on a second run.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, assume, given, settings

from judge import ours, reference, version_difference
from refactor import ParseError, parse
from refactor.engine.engine import refactor
from strategies import dockerfiles

EXAMPLES = int(os.environ.get("REFACTOR_PROPERTY_EXAMPLES", "300"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(dockerfiles())
def test_generated_files_round_trip_byte_for_byte(text: str) -> None:
    try:
        df = parse(text, strict=False)
    except ParseError:
        return  # BuildKit rejects it too (checked below)
    assert df.code == text
    assert "".join(t.text for t in df.walk()) == text


@SETTINGS
@given(dockerfiles())
def test_generated_files_are_read_as_buildkit_reads_them(text: str) -> None:
    assume(version_difference(text) is None)
    expected = reference(text)
    got = ours(text)
    if isinstance(expected, str):
        if "no instructions" in expected:
            assert parse(text, strict=False).instructions == ()
        else:
            assert isinstance(got, str), f"BuildKit rejects it ({expected}) but we accept it"
    else:
        assert got == expected


@settings(max_examples=max(EXAMPLES // 3, 30), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dockerfiles())
def test_refactored_generated_files_stay_valid_and_stable(text: str) -> None:
    try:
        first = refactor(text)
    except ParseError:
        return
    if first.changed and version_difference(first.code) is None:
        assert not isinstance(reference(first.code), str), reference(first.code)
    second = refactor(first.code)
    assert second.code == first.code, [c.code for c in second.changes]
