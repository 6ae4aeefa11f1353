"""Lark's LALR(1) table for grammar/dockerfile.lark, and a small driver for it.

Lark analyses the grammar and builds the table; this module keeps that table
in a compact cached form (a pickle keyed by the grammar's hash) and runs it.
Parsing a Dockerfile then needs neither Lark's import (about 60 ms) nor its
general-purpose parser loop, whose per-token bookkeeping cost more than all of
BuildKit-faithful scanning. The table, not the driver, is the grammar: a
terminal sequence the grammar does not allow is rejected here exactly as Lark
would reject it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Callable, Sequence

__all__ = ["Table", "load_table", "UnexpectedTerminal"]

_FORMAT = 2


class UnexpectedTerminal(Exception):
    def __init__(self, index: int, kind: str) -> None:
        super().__init__(f"unexpected {kind} at terminal {index}")
        self.index = index
        self.kind = kind


class Table:
    """states[state][terminal or rule name] = (shift?, next state or rule index)."""

    def __init__(self, states, rules, start: int, end: int) -> None:
        self.states: list[dict[str, tuple[bool, int]]] = states
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
            if action[0]:
                push_state(action[1])
                push_value(tok)
                index += 1
                continue
            name, size = rules[action[1]]
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
            push_state(goto[1])
            push_value(value)
            if tok is None and goto[1] == self.end:
                return value


def load_table(grammar: Path) -> Table:
    """The table for `grammar`, from the cache when its hash matches, else built by Lark."""
    text = grammar.read_bytes()
    key = hashlib.sha256(text + bytes([_FORMAT])).hexdigest()[:20]
    cache = _cache_dir() / f"dockerfile-lalr-{key}.pickle" if _cache_dir() else None
    if cache is not None:
        try:
            with open(cache, "rb") as f:
                return Table(*pickle.load(f))
        except (OSError, pickle.PickleError, EOFError, TypeError, ValueError):
            pass
    data = _build(text.decode("utf-8"))
    if cache is not None:
        try:
            tmp = cache.with_suffix(f".{os.getpid()}.tmp")
            with open(tmp, "wb") as f:
                pickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, cache)
        except OSError:
            pass
    return Table(*data)


def _cache_dir() -> Path | None:
    folder = os.environ.get("REFACTOR_CACHE_DIR") or os.path.join(tempfile.gettempdir(), "refactor-cache")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return None
    return Path(folder)


def _build(grammar: str):
    from lark import Lark
    from lark.parsers.lalr_analysis import Shift

    lark = Lark(grammar, parser="lalr", lexer=_lexer(), maybe_placeholders=False, strict=True)
    table = lark.parser.parser.parser.parse_table
    rule_index: dict[int, int] = {}
    rules: list[tuple[str, int]] = []
    states: list[dict[str, tuple[bool, int]]] = [dict() for _ in range(len(table.states))]
    for state, actions in table.states.items():
        row = states[state]
        for symbol, (action, arg) in actions.items():
            if action is Shift:
                row[str(symbol)] = (True, arg)
            else:
                idx = rule_index.get(id(arg))
                if idx is None:
                    idx = rule_index[id(arg)] = len(rules)
                    rules.append((str(arg.origin.name), len(arg.expansion)))
                row[str(symbol)] = (False, idx)
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
