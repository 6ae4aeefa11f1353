"""The engine parses a file once, then only the windows its rules edited, then the final text once.

Between rounds it splices the tree from windows (the changed instructions, parsed with the
one after them) instead of reading the whole text again; these tests hold that tree to the
one a whole parse gives, after every change over the corpus, and count what is parsed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import refactor.engine.engine as engine
import refactor.syntax.parser as parser
from refactor.engine.engine import refactor

from test_corpus_syntax import FILES, _id
from test_rules_corpus import CASES, _id as _case_id, run_case

LEVELS = ("safe", "review", "unsafe")


@pytest.fixture
def whole_parse_after_every_change(monkeypatch):
    monkeypatch.setattr(engine, "CHECK_WINDOWS", True)  # _check_same raises on any difference


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_windows_give_the_tree_a_whole_parse_gives(path: Path, whole_parse_after_every_change) -> None:
    text = path.read_bytes().decode("utf-8")
    for level in LEVELS:  # the same trees at every step: the same changes, the same output
        refactor(text, path=str(path), context=path.parent, level=level)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_windows_give_the_tree_a_whole_parse_gives_in_rule_fixtures(case: Path, whole_parse_after_every_change) -> None:
    c, result = run_case(case)
    assert result.code == c["expected"]


def _counting(monkeypatch) -> list[str]:
    texts: list[str] = []
    real = parser.parse

    def parse(text, *args, **kwargs):
        texts.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(engine, "parse", parse)
    monkeypatch.setattr(parser, "parse", parse)  # the model's own windows (Model.reparsed)
    return texts


LONG = "".join([
    "FROM debian:bookworm-slim\n",
    "MAINTAINER someone@example.com\n",
    *[f"LABEL step{n}=\"{n}\"\nRUN echo step {n} > /tmp/step{n}\n" for n in range(30)],
    "RUN apt-get update && apt-get install -y curl\n",
    "ADD app.sh /usr/local/bin/app.sh\n",
    "CMD app.sh\n",
])


def test_a_file_is_parsed_whole_only_when_read_and_when_checked(monkeypatch) -> None:
    texts = _counting(monkeypatch)
    result = refactor(LONG, select=["HY"])
    assert len(result.changes) >= 3
    whole = [t for t in texts if len(t) > len(LONG) // 2]
    assert whole == [LONG, result.code]  # the input once, the safety net once
    assert all(len(t) < len(LONG) // 4 for t in texts if len(t) <= len(LONG) // 2)


def test_a_file_nothing_changes_is_parsed_once(monkeypatch) -> None:
    texts = _counting(monkeypatch)
    text = 'FROM scratch\nCOPY app /app\nENTRYPOINT ["/app"]\n'
    assert not refactor(text, select=["HY"]).changed
    assert texts == [text]


def test_the_safety_net_tree_is_the_final_texts(monkeypatch) -> None:
    result = refactor(LONG, select=["HY"])
    assert result.tree.code == result.code
    assert [i.start_line for i in result.tree.instructions] == \
        [i.start_line for i in parser.parse(result.code).instructions]


def test_a_safety_net_that_disagrees_sends_the_file_through_whole_parses(monkeypatch) -> None:
    expected = refactor(LONG, select=["HY"])
    texts = _counting(monkeypatch)
    monkeypatch.setattr(engine, "_same_tree", lambda windowed, whole: False)
    again = refactor(LONG, select=["HY"])
    assert again.code == expected.code and again.changes == expected.changes
    assert texts.count(LONG) == 2  # read for the windows, then again for the whole-parse run
