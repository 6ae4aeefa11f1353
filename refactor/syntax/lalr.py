"""Lark's LALR(1) table for grammar/dockerfile.lark, and a small driver for it.

Lark analyses the grammar and builds the table; `python -m refactor.syntax.lalr`
writes that table into dockerfile_table.json, which ships in the package, and
this module runs it.
Parsing a Dockerfile then needs neither Lark's import (about 60 ms) nor its
general-purpose parser loop, whose per-token bookkeeping cost more than all of
BuildKit-faithful scanning. The table, not the driver, is the grammar: a
terminal sequence the grammar does not allow is rejected here exactly as Lark
would reject it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Callable, Sequence

__all__ = ["Table", "load_table", "grammar_path", "UnexpectedTerminal"]



class UnexpectedTerminal(Exception):
    def __init__(self, index: int, kind: str) -> None:
        super().__init__(f"unexpected {kind} at terminal {index}")
        self.index = index
        self.kind = kind


class Table:
    """states[state][terminal or rule name] = action: >= 0 shifts to that state, < 0 reduces by rule -action - 1."""

    def __init__(self, states, rules, start: int, end: int) -> None:
        self.states: list[dict[str, int]] = states
        self.rules: list[tuple[str, int]] = rules  # (rule name, number of symbols)
        self.start = start
        self.end = end

    def parse(self, tokens: Sequence, reduce: Callable[[str, list], object], build: frozenset[str]):
        """Run the parser over `tokens` (objects with a `kind`).

        For the rules named in `build`, `reduce(name, children)` makes the
        value; every other rule hands its children up as one flat list, as
        Lark's tree builder does for inlined `_rules` and its helpers for
        `*` and `+`.
        """
        states = self.states
        rules = self.rules
        state_stack = [self.start]
        value_stack: list = []
        push_state = state_stack.append
        push_value = value_stack.append
        n = len(tokens)
        index = 0
        while True:
            if index < n:
                tok = tokens[index]
                kind = tok.kind
            else:
                tok = None
                kind = "$END"
            action = states[state_stack[-1]].get(kind)
            if action is None:
                raise UnexpectedTerminal(index, kind)
            if action >= 0:
                push_state(action)
                push_value(tok)
                index += 1
                continue
            name, size = rules[-action - 1]
            if size:
                children = value_stack[-size:]
                del state_stack[-size:]
                del value_stack[-size:]
            else:
                children = []
            if name not in build:
                if size == 1:
                    c = children[0]
                    value = c if type(c) is list else children
                else:
                    value = []
                    for c in children:
                        if type(c) is list:
                            value.extend(c)
                        else:
                            value.append(c)
            else:
                value = reduce(name, children)
            goto = states[state_stack[-1]][name]
            push_state(goto)
            push_value(value)
            if tok is None and goto == self.end:
                return value


TABLE_FILE = Path(__file__).with_name("dockerfile_table.json")


def grammar_path() -> Path:
    """Where `dockerfile.lark` is: inside the installed package, or grammar/ in a checkout."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[1] / "grammar" / "dockerfile.lark", here.parents[2] / "grammar" / "dockerfile.lark"):
        if candidate.is_file():
            return candidate
    from importlib.resources import files

    return Path(str(files("refactor.grammar") / "dockerfile.lark"))


def load_table(grammar: Path) -> Table:
    """The table for `grammar`: the one generated into dockerfile_table.json when it was made
    from this grammar (always so in a release), else built by Lark now, in memory (while the
    grammar is being edited).

    The table ships as package data: nothing is written at run time, and nothing is read
    from a shared cache directory.
    """
    text = grammar.read_bytes()
    digest = hashlib.sha256(text).hexdigest()
    try:
        data = json.loads(TABLE_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    if data is not None and data.get("grammar_sha256") == digest:
        symbols = data["symbols"]
        states = [dict(zip([symbols[i] for i in row[0::2]], row[1::2])) for row in data["states"]]
        return Table(states, [tuple(r) for r in data["rules"]], data["start"], data["end"])
    return Table(*_build(text.decode("utf-8")))


def write_table(grammar: Path, target: Path = TABLE_FILE) -> None:
    """Generate dockerfile_table.json from the grammar (`python -m refactor.syntax.lalr`).

    Rows are flat [symbol index, action, …] lists; an action >= 0 shifts to that state,
    an action < 0 reduces by rule -action - 1.
    """
    text = grammar.read_bytes()
    states, rules, start, end = _build(text.decode("utf-8"))
    symbols = sorted({k for row in states for k in row})
    index = {name: i for i, name in enumerate(symbols)}
    rows = [[x for k, v in sorted(row.items()) for x in (index[k], v)] for row in states]
    data = {"grammar_sha256": hashlib.sha256(text).hexdigest(), "start": start, "end": end,
            "symbols": symbols, "rules": rules, "states": rows}
    target.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")


def _build(grammar: str):
    from lark import Lark
    from lark.parsers.lalr_analysis import Shift

    lark = Lark(grammar, parser="lalr", lexer=_lexer(), maybe_placeholders=False, strict=True)
    table = lark.parser.parser.parser.parse_table
    rule_index: dict[int, int] = {}
    rules: list[tuple[str, int]] = []
    states: list[dict[str, int]] = [dict() for _ in range(len(table.states))]
    for state, actions in table.states.items():
        row = states[state]
        for symbol, (action, arg) in actions.items():
            if action is Shift:
                row[str(symbol)] = arg
            else:
                idx = rule_index.get(id(arg))
                if idx is None:
                    idx = rule_index[id(arg)] = len(rules)
                    rules.append((str(arg.origin.name), len(arg.expansion)))
                row[str(symbol)] = -idx - 1
    return states, rules, table.start_states["start"], table.end_states["start"]


def _lexer():
    from lark.lexer import Lexer

    class NoLexer(Lexer):
        """The scanner lexes; Lark only analyses the grammar here."""

        def __init__(self, conf) -> None:
            pass

        def lex(self, data, parser_state=None):  # pragma: no cover - never lexes
            return iter(())

    return NoLexer


if __name__ == "__main__":  # python -m refactor.syntax.lalr
    write_table(grammar_path())
    print(f"wrote {TABLE_FILE}")
