"""The commands inside a shell-form RUN, read with a real shell parser (tree-sitter-bash).

Rules ask "which commands does this RUN call, with which words, joined by
which operators?" and edit a command by its character offsets in the RUN's
logical text. Parsing happens only when a rule asks (`Script.parse` is cached
per text), and tree-sitter itself is imported only then.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Word", "Command", "Script", "parse_script"]

# Node types whose words we read as part of a simple command.
_WORD_NODES = {"word", "string", "raw_string", "concatenation", "number", "simple_expansion",
               "expansion", "command_substitution", "ansi_c_string", "translated_string",
               "process_substitution", "arithmetic_expansion"}
_STATIC_NODES = {"word", "number", "string", "raw_string", "concatenation", "ansi_c_string"}
_CONTROL = {"if_statement", "for_statement", "c_style_for_statement", "while_statement",
            "case_statement", "function_definition", "subshell", "compound_statement",
            "negated_command", "test_command"}


@dataclass(frozen=True, slots=True)
class Word:
    text: str  # as written
    value: str | None  # the word after quote removal, None when it depends on expansions
    start: int  # character offsets in the script
    end: int


@dataclass(frozen=True, slots=True)
class Command:
    """One simple command: `apt-get install -y curl`."""

    words: tuple[Word, ...]  # the command name first; assignments and redirections left out
    assignments: tuple[str, ...]  # `FOO=1 make` gives ("FOO=1",)
    redirects: tuple[str, ...]
    start: int
    end: int
    connector: str | None  # the operator before it: "&&", "||", ";", "|", "&", "\n"; None first
    nested: bool  # inside if/for/while/case, a subshell, a function or a command substitution

    @property
    def argv(self) -> tuple[str | None, ...]:
        return tuple(w.value for w in self.words)

    @property
    def name(self) -> str | None:
        """The program: `apt-get`, with a leading path stripped (`/usr/bin/pip` -> `pip`)."""
        if not self.words or self.words[0].value is None:
            return None
        return self.words[0].value.rsplit("/", 1)[-1]

    def has(self, *words: str) -> bool:
        values = set(self.argv)
        return all(w in values for w in words)


@dataclass(frozen=True, slots=True)
class Script:
    text: str
    commands: tuple[Command, ...]
    has_errors: bool  # the shell parser found a syntax error
    has_control_flow: bool  # if/for/while/case/functions/subshells: order may matter beyond `&&`
    background: bool = False  # the script ends with `&`

    @property
    def is_simple_chain(self) -> bool:
        """Only simple commands joined by `&&`, `;` and `|`: safe to reason about step by step."""
        return not self.has_errors and not self.has_control_flow


def parse_script(text: str) -> Script:
    """The commands of a shell script, in order."""
    return _parse_cached(text)


@lru_cache(maxsize=4096)
def _parse_cached(text: str) -> Script:
    data = text.encode("utf-8")
    tree = _parser().parse(data)
    to_char = _offsets(text, data)
    commands: list[Command] = []
    state = {"control": False, "errors": tree.root_node.has_error}
    pending: list = [None]
    _walk(tree.root_node, data, to_char, commands, pending, False, state)
    return Script(text, tuple(commands), state["errors"], state["control"], pending[0] == "&")


def _offsets(text: str, data: bytes):
    if len(text) == len(data):
        return lambda b: b
    table = []
    for i, ch in enumerate(text):
        table.extend([i] * len(ch.encode("utf-8")))
    table.append(len(text))
    return lambda b: table[b]


def _walk(node, data: bytes, to_char, out: list[Command], pending: list, nested: bool, state) -> None:
    t = node.type
    if t in ("command", "declaration_command"):
        out.append(_command(node, data, to_char, pending[0], nested, ()))
        pending[0] = None
        _substitutions(node, data, to_char, out, state)
        return
    if t == "variable_assignment" and node.parent is not None and node.parent.type in ("program", "list", "pipeline"):
        # `X=1` alone: a command of its own, with no words
        out.append(Command((), (_text(node, data),), (), to_char(node.start_byte), to_char(node.end_byte), pending[0], nested))
        pending[0] = None
        return
    if t == "redirected_statement":
        body = node.child_by_field_name("body")
        redirects = tuple(_text(c, data) for c in node.children if c.type.endswith("redirect"))
        if body is not None and body.type in ("command", "declaration_command"):
            out.append(_command(body, data, to_char, pending[0], nested, redirects, outer=node))
            pending[0] = None
            _substitutions(body, data, to_char, out, state)
            return
    if t in _CONTROL:
        state["control"] = True
        nested = True
    if t == "command_substitution":
        nested = True
    for child in node.children:
        ct = child.type
        if ct in ("&&", "||", ";", "|", "&", "|&"):
            pending[0] = ct
        elif ct == "\n":
            pending[0] = "\n"
        elif child.is_named or ct in ("command", "list", "pipeline"):
            _walk(child, data, to_char, out, pending, nested, state)


def _substitutions(node, data: bytes, to_char, out: list[Command], state) -> None:
    """Commands inside `$(…)` and backticks in a command's words: listed after it, nested."""
    stack = list(node.children)
    while stack:
        child = stack.pop(0)
        if child.type == "command_substitution":
            _walk(child, data, to_char, out, [None], True, state)
        else:
            stack.extend(child.children)


def _command(node, data: bytes, to_char, connector, nested: bool, redirects, outer=None) -> Command:
    words: list[Word] = []
    assignments: list[str] = []
    extra_redirects: list[str] = []
    if node.type == "declaration_command":
        for child in node.children:
            if child.type in ("export", "declare", "typeset", "readonly", "local"):
                words.append(Word(child.type, child.type, to_char(child.start_byte), to_char(child.end_byte)))
            elif child.type == "variable_assignment":
                assignments.append(_text(child, data))
                words.append(_word(child, data, to_char))
            elif child.is_named:
                words.append(_word(child, data, to_char))
        span = outer if outer is not None else node
        return Command(tuple(words), tuple(assignments), tuple(redirects), to_char(span.start_byte),
                       to_char(span.end_byte), connector, nested)
    for child in node.children:
        ct = child.type
        if ct == "command_name":
            inner = child.children[0] if child.children else child
            words.append(_word(inner, data, to_char))
        elif ct == "variable_assignment":
            assignments.append(_text(child, data))
        elif ct.endswith("redirect"):
            extra_redirects.append(_text(child, data))
        elif ct in _WORD_NODES:
            words.append(_word(child, data, to_char))
    span = outer if outer is not None else node
    return Command(
        tuple(words), tuple(assignments), tuple(redirects) + tuple(extra_redirects),
        to_char(span.start_byte), to_char(span.end_byte), connector, nested,
    )


def _word(node, data: bytes, to_char) -> Word:
    return Word(_text(node, data), _static_value(node, data), to_char(node.start_byte), to_char(node.end_byte))


def _static_value(node, data: bytes) -> str | None:
    t = node.type
    if t in ("word", "number"):
        raw = _text(node, data)
        if "$" in raw or "`" in raw:
            return None
        out = []
        i = 0
        while i < len(raw):
            if raw[i] == "\\" and i + 1 < len(raw):
                out.append(raw[i + 1])
                i += 2
            else:
                out.append(raw[i])
                i += 1
        return "".join(out)
    if t == "raw_string":
        return _text(node, data)[1:-1]
    if t == "variable_assignment":
        name = node.child_by_field_name("name")
        value = node.child_by_field_name("value")
        rest = _static_value(value, data) if value is not None else ""
        return None if name is None or rest is None else f"{_text(name, data)}={rest}"
    if t == "string":
        parts = []
        for c in node.children:
            if c.type == '"':
                continue
            if c.type == "string_content":
                parts.append(_text(c, data).replace('\\"', '"').replace("\\\\", "\\").replace("\\$", "$"))
            else:
                return None
        return "".join(parts)
    if t == "concatenation":
        parts = []
        for c in node.children:
            v = _static_value(c, data)
            if v is None:
                return None
            parts.append(v)
        return "".join(parts)
    return None


def _text(node, data: bytes) -> str:
    return data[node.start_byte:node.end_byte].decode("utf-8", "replace")


@lru_cache(maxsize=1)
def _parser():
    import tree_sitter_bash
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_bash.language()))
