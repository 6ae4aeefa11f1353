"""The generated LALR table (refactor/syntax/_table.py) is the grammar's, and the grammar drives the parse."""

from __future__ import annotations

import hashlib

import pytest

from refactor import ParseError, parse
import json

from refactor.syntax.lalr import TABLE_FILE, Table, _build, load_table
from refactor.syntax.parser import grammar_path


def test_generated_table_is_current_with_the_grammar() -> None:
    """Made from this very grammar, and parsing the corpus exactly as a table Lark builds now.

    (Lark numbers states differently from run to run, so the tables are compared by what they do.)
    """
    from pathlib import Path

    from refactor.syntax.parser import _BUILD, _reduce
    from refactor.syntax.scanner import scan

    text = grammar_path().read_bytes()
    data = json.loads(TABLE_FILE.read_text())
    assert data["grammar_sha256"] == hashlib.sha256(text).hexdigest(), "run: python -m refactor.syntax.lalr"
    fresh = Table(*_build(text.decode("utf-8")))
    shipped = load_table(grammar_path())
    assert len(fresh.states) == len(shipped.states) and sorted(fresh.rules) == sorted(shipped.rules)
    corpus = Path(__file__).resolve().parents[1] / "corpus" / "syntax"
    for path in sorted(corpus.glob("*/Dockerfile")):
        try:
            tokens = scan(path.read_text(encoding="utf-8"), strict=False).tokens
        except Exception:
            continue
        assert fresh.parse(tokens, _reduce, _BUILD) == shipped.parse(tokens, _reduce, _BUILD), path


def test_a_terminal_sequence_the_grammar_forbids_is_rejected() -> None:
    from refactor.syntax.tree import Token

    table = load_table(grammar_path())
    from refactor.syntax.lalr import UnexpectedTerminal
    from refactor.syntax.parser import _BUILD, _reduce

    with pytest.raises(UnexpectedTerminal):  # a flag where no instruction began
        table.parse([Token("FLAG", "--x"), Token("NEWLINE", "\n")], _reduce, _BUILD)
    ok = table.parse([Token("FROM", "FROM"), Token("WHITESPACE", " "), Token("ARGUMENT", "a"), Token("NEWLINE", "\n")],
                     _reduce, _BUILD)
    assert ok[0][0] == "instruction"


def test_parse_errors_never_leak_parser_internals() -> None:
    with pytest.raises(ParseError) as info:
        parse("FROM a\nRUN --mount=type=bogus echo\n")
    assert "Traceback" not in str(info.value)
