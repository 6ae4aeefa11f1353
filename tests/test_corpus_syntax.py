"""Every Dockerfile in corpus/: lossless, and read exactly as BuildKit reads it.

`corpus/errors/<case>/` holds inputs Docker rejects, each with a file `error`:
`LINE: message substring`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser

from judge import ours, reference, version_difference
from refactor import ParseError, parse

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
DISCOVERY = ("Dockerfile", "Containerfile")


def _is_dockerfile(p: Path) -> bool:
    n = p.name
    if n.endswith(".dockerignore"):  # BuildKit's per-Dockerfile ignore file (a CX fixture)
        return False
    return (
        n in DISCOVERY
        or n.startswith(("Dockerfile.", "Containerfile."))
        or n.endswith((".Dockerfile", ".dockerfile"))
    )


FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file() and _is_dockerfile(p) and "errors" not in p.parts)
ERRORS = sorted(p for p in (CORPUS / "errors").glob("*/Dockerfile")) if (CORPUS / "errors").is_dir() else []


def _id(p: Path) -> str:
    return str(p.parent.relative_to(CORPUS))


def _text(p: Path) -> str:
    return p.read_bytes().decode("utf-8")


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_round_trip_is_byte_identical(path: Path) -> None:
    text = _text(path)
    df = parse(text, path=str(path))
    assert df.code == text
    assert "".join(t.text for t in df.walk()) == text


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_reading_agrees_with_buildkit(path: Path) -> None:
    text = _text(path)
    why = version_difference(text)
    if why is None and path.parent.name.startswith("version-"):
        why = "the case is about a construct BuildKit reads differently since then (see its comment)"
    if why:
        pytest.skip(f"BuildKit v0.12.5 (the reference package) reads this differently: {why}")
    expected = reference(text)
    got = ours(text)
    if isinstance(expected, str) and "no instructions" in expected:
        assert parse(text).instructions == ()  # DESIGN.md: such files parse, and are skipped later
        return
    assert got == expected


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_lenient_parser_finds_the_same_instructions(path: Path) -> None:
    """dockerfile-parse, a second and more lenient reader, sees the same instruction lines."""
    text = _text(path)
    df = parse(text)
    why = _lenient_reader_misses(df, text)
    if why:
        pytest.skip(f"dockerfile-parse does not follow {why}")
    lenient = DockerfileParser(fileobj=__import__("io").BytesIO(path.read_bytes()))
    theirs = [(s["instruction"], s["startline"] + 1) for s in lenient.structure if s["instruction"] != "COMMENT"]
    mine = [(i.keyword, i.start_line) for i in df.instructions]
    assert mine == theirs


def _lenient_reader_misses(df, text: str) -> str | None:
    """What in this file dockerfile-parse is known to read unlike BuildKit (its own bugs), if anything."""
    if not df.instructions:
        return "files without instructions"
    if df.escape != "\\" or df.has_bom:
        return "the backtick escape or a BOM"
    if any(i.heredocs for i in df.instructions):
        return "heredocs"
    for ins in df.instructions:
        kinds = [t.kind for t in ins.tokens]
        if "EMPTY_LINE" in kinds or "COMMENT_LINE" in kinds:
            return "comment or blank lines inside a continuation"
        if kinds and kinds[0] in ("LINE_CONTINUATION", "WHITESPACE") and "LINE_CONTINUATION" in kinds[:2]:
            return "a line that is only a continuation"
        if any("\n" in t.text for t in ins.tokens if t.kind not in ("LINE_CONTINUATION", "NEWLINE")):
            return "a continuation inside a word"
        if kinds[-1] == "NEWLINE" and ins.tokens[-1].text == "" and "LINE_CONTINUATION" in kinds[-3:]:
            return "a continuation at the end of the file"
    if "\\\\\n" in text or "\\\\\r\n" in text:
        return "an escaped escape at the end of a line"
    return None


@pytest.mark.parametrize("path", ERRORS, ids=_id)
def test_rejected_input_gives_a_located_parse_error(path: Path) -> None:
    text = _text(path)
    spec = (path.parent / "error").read_text(encoding="utf-8").strip()
    line, _, message = spec.partition(":")
    with pytest.raises(ParseError) as info:
        parse(text, path=str(path))
    err = info.value
    assert err.line == int(line)
    assert message.strip().lower() in err.message.lower()
    assert str(err).startswith(f"{path}:{err.line}:{err.column}: ")
