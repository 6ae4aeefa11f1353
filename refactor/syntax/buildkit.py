"""BuildKit's reading of a Dockerfile, rule for rule.

These functions follow `moby/buildkit` `frontend/dockerfile/parser` (the
scanner loop, `splitCommand`, `extractBuilderFlags`, the line parsers) and
the small part of `frontend/dockerfile/shell` that decides heredocs, so that
what we call an instruction, a flag or an argument is exactly what Docker
calls one. They work on the *logical* line: continuation characters,
comment lines and empty lines inside a continuation already removed.

Go's quirks are kept on purpose where they change results: `unicode.IsSpace`
differs from `str.isspace`, and the flag scanner reads bytes, not runes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

__all__ = [
    "BuildKitError",
    "LineNode",
    "HeredocSpec",
    "go_isspace",
    "is_comment",
    "trim_newline",
    "trim_leading_whitespace",
    "DirectiveParser",
    "continuation_regex",
    "parse_logical_line",
    "heredocs_from_line",
]


class BuildKitError(Exception):
    """A line that BuildKit's parser rejects; the caller adds the location.

    `needle` is the text at fault (a flag, a word), when there is one: the
    error is then placed where it stands rather than at the instruction's start.
    """

    def __init__(self, message: str, needle: str | None = None) -> None:
        super().__init__(message)
        self.needle = needle


# Go's unicode.IsSpace: Latin-1 spaces plus the Unicode White_Space property.
_GO_SPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# Bytes that unicode.IsSpace(rune(b)) accepts when Go reads byte by byte.
_GO_SPACE_BYTES = frozenset(b"\t\n\v\f\r \x85\xa0")

_RE_WHITESPACE = re.compile(r"[\t\v\f\r ]+")
_RE_HEREDOC = re.compile(r"^(\d*)<<(-?)[\t\n\f\r ]*([^<]*)$", re.S)
_RE_DIRECTIVE = re.compile(r"^([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*$", re.S)
_VALID_DIRECTIVES = frozenset({"syntax", "escape", "check"})

HEREDOC_KEYWORDS = frozenset({"add", "copy", "run"})


def go_isspace(ch: str) -> bool:
    return ch in _GO_SPACE


def trim_newline(line: str) -> str:
    return line.rstrip("\r\n")


_SPACE_CLASS = "[" + "".join(sorted(_GO_SPACE)).replace("\\", "\\\\") + "]"
_LEADING_SPACE = re.compile(_SPACE_CLASS + "*")
_TRAILING_SPACE = re.compile(_SPACE_CLASS + "*\\Z")
_COMMENT = re.compile(_SPACE_CLASS + "*#")


def trim_leading_whitespace(line: str) -> str:
    return line[_LEADING_SPACE.match(line).end():]


def go_trim_space(s: str) -> str:
    start = _LEADING_SPACE.match(s).end()
    if start == len(s):
        return ""
    return s[start:_TRAILING_SPACE.search(s, start).start()]


def is_comment(line: str) -> bool:
    return _COMMENT.match(line) is not None


def continuation_regex(escape: str) -> re.Pattern[str]:
    e = re.escape(escape)
    # `([^e])e[ \t]*$|^e[ \t]*$`, as BuildKit's setEscapeToken builds it.
    return re.compile(rf"(?:(?<=[^{e}])|^){e}[ \t]*\Z", re.S)


@dataclass
class Directive:
    name: str
    value: str


class DirectiveParser:
    """BuildKit's DirectiveParser: directives only before anything else."""

    def __init__(self) -> None:
        self.done = False
        self.seen: set[str] = set()

    def parse_line(self, line: str) -> Directive | None:
        if self.done:
            return None
        if not line.startswith("#"):
            self.done = True
            return None
        m = _RE_DIRECTIVE.match(trim_leading_whitespace(line[1:]))
        if not m:
            self.done = True
            return None
        name = m.group(1).lower()
        if name not in _VALID_DIRECTIVES:
            self.done = True
            return None
        if name in self.seen:
            raise BuildKitError(f"only one {name} parser directive can be used")
        self.seen.add(name)
        return Directive(name, m.group(2))


def check_escape_token(value: str) -> str:
    if value not in ("`", "\\"):
        raise BuildKitError(f"invalid escape token '{value}' does not match ` or \\")
    return value


# --- splitCommand and the flag scanner -------------------------------------------------


def split_command(line: str, escape: str) -> tuple[str, list[str], str]:
    """Return the instruction word, its `--flags`, and the rest of the line."""
    cmd, flags, rest, _ = split_command_spans(line, escape)
    return cmd, flags, rest


def split_command_spans(line: str, escape: str):
    """splitCommand, also telling where each part lies in `line`.

    Returns (cmd, flags, rest, spans) with spans = (cmd_start, cmd_end,
    [(flag_start, flag_end)…], rest_start, rest_end).
    """
    start = _LEADING_SPACE.match(line).end()
    stop = _TRAILING_SPACE.search(line, start).start() if start < len(line) else start
    m = _RE_WHITESPACE.search(line, start, stop)
    if m is None:
        return line[start:stop], [], "", (start, stop, [], stop, stop)
    args_start = m.end()
    region = line[args_start:stop]
    rest, flags, flag_spans = extract_builder_flags(region, escape)
    rest_start = stop - len(rest)
    rest_start += _LEADING_SPACE.match(line, rest_start, stop).end() - rest_start
    spans = (start, m.start(), [(args_start + a, args_start + b) for a, b in flag_spans], rest_start, stop)
    return line[start:m.start()], flags, line[rest_start:stop], spans


def extract_builder_flags(line: str, escape: str) -> tuple[str, list[str], list[tuple[int, int]]]:
    """BuildKit's extractBuilderFlags, byte for byte (it indexes bytes, not runes).

    Returns the rest of the line, the flags, and the (start, stop) character
    span of every word it read as a flag.
    """
    if not line.startswith("--"):
        return line, [], []
    data = line.encode("utf-8")
    esc = ord(escape)
    in_spaces, in_word, in_quote = 0, 1, 2
    words: list[str] = []
    spans: list[tuple[int, int]] = []
    phase = in_spaces
    word: list[str] = []
    quote = 0
    blank_ok = False
    n = len(data)
    pos = 0
    word_start = 0
    ch = 0
    rest = ""
    while pos <= n:
        if pos != n:
            ch = data[pos]
        if phase == in_spaces:
            if pos == n:
                break
            if ch in _GO_SPACE_BYTES:
                pos += 1
                continue
            if ch != 0x2D or pos + 1 == n or data[pos + 1] != 0x2D:
                rest = data[pos:].decode("utf-8", "surrogateescape")
                break
            phase = in_word
            word_start = pos
        if phase in (in_word, in_quote) and pos == n:
            w = "".join(word)
            if w != "--" and (blank_ok or w):
                words.append(w)
            spans.append((word_start, pos))
            break
        if phase == in_word:
            if ch in _GO_SPACE_BYTES:
                w = "".join(word)
                phase = in_spaces
                spans.append((word_start, pos))
                if w == "--":
                    rest = data[pos:].decode("utf-8", "surrogateescape")
                    break
                if blank_ok or w:
                    words.append(w)
                word = []
                blank_ok = False
                pos += 1
                continue
            if ch in (0x27, 0x22):
                quote = ch
                blank_ok = True
                phase = in_quote
                pos += 1
                continue
            if ch == esc:
                if pos + 1 == n:
                    pos += 1
                    continue
                pos += 1
                ch = data[pos]
            word.append(chr(ch))
            pos += 1
            continue
        if phase == in_quote:
            if ch == quote:
                phase = in_word
                pos += 1
                continue
            if ch == esc:
                if pos + 1 == n:
                    phase = in_word
                    pos += 1
                    continue
                pos += 1
                ch = data[pos]
            word.append(chr(ch))
        pos += 1
    if not line.isascii():
        spans = [(_char_offset(data, a), _char_offset(data, b)) for a, b in spans]
    return rest, words, spans


def _char_offset(data: bytes, byte_offset: int) -> int:
    return len(data[:byte_offset].decode("utf-8", "surrogateescape"))


# --- the line parsers --------------------------------------------------------------------


@dataclass
class LineNode:
    """BuildKit's Node for one instruction, reduced to what we use."""

    keyword: str  # as written
    flags: list[str]
    values: list[str]  # the Next chain, with key/value separators for ENV and LABEL
    json: bool
    original: str
    sub: "LineNode | None" = None  # ONBUILD's trigger
    # where the parts lie in `original`: (cmd start, cmd end, [flag spans], rest start, rest end)
    spans: tuple = (0, 0, [], 0, 0)

    @property
    def effective(self) -> "LineNode":
        return self.sub if self.sub is not None else self


def parse_logical_line(line: str, escape: str) -> LineNode:
    cmd, flags, args, spans = split_command_spans(line, escape)
    parser = _DISPATCH.get(cmd.lower(), _parse_ignore)
    values, is_json, sub = parser(args, escape)
    return LineNode(cmd, flags, values, is_json, line, sub, spans)


def _parse_ignore(rest: str, escape: str):
    return [], False, None


def _parse_sub_command(rest: str, escape: str):
    if rest == "":
        return [], False, None
    return [], False, parse_logical_line(rest, escape)


def parse_words(rest: str, escape: str) -> list[str]:
    words: list[str] = []
    in_spaces, in_word, in_quote = 0, 1, 2
    phase = in_spaces
    quote = ""
    blank_ok = False
    buf: list[str] = []
    n = len(rest)
    pos = 0
    ch = ""
    while pos <= n:
        if pos != n:
            ch = rest[pos]
        if phase == in_spaces:
            if pos == n:
                break
            if ch in _GO_SPACE:
                pos += 1
                continue
            phase = in_word
        if phase in (in_word, in_quote) and pos == n:
            if blank_ok or buf:
                words.append("".join(buf))
            break
        if phase == in_word:
            if ch in _GO_SPACE:
                phase = in_spaces
                if blank_ok or buf:
                    words.append("".join(buf))
                buf = []
                blank_ok = False
                pos += 1
                continue
            if ch in ("'", '"'):
                quote = ch
                blank_ok = True
                phase = in_quote
            if ch == escape:
                if pos + 1 == n:
                    pos += 1
                    continue
                buf.append(ch)
                pos += 1
                ch = rest[pos]
            buf.append(ch)
            pos += 1
            continue
        if phase == in_quote:
            if ch == quote:
                phase = in_word
            if ch == escape and quote != "'":
                if pos + 1 == n:
                    phase = in_word
                    pos += 1
                    continue
                pos += 1
                buf.append(ch)
                ch = rest[pos]
            buf.append(ch)
        pos += 1
    return words


def _parse_name_val(rest: str, key: str, escape: str):
    words = parse_words(rest, escape)
    if not words:
        return [], False, None
    if "=" not in words[0]:
        parts = _RE_WHITESPACE.split(rest, maxsplit=1)
        if len(parts) < 2:
            raise BuildKitError(f"{key} must have two arguments")
        return [parts[0], parts[1], ""], False, None
    values: list[str] = []
    for word in words:
        if "=" not in word:
            raise BuildKitError(
                f"Syntax error - can't find = in {_go_quote(word)}. Must be of the form: name=value", word
            )
        k, v = word.split("=", 1)
        values += [k, v, "="]
    return values, False, None


def _parse_env(rest: str, escape: str):
    return _parse_name_val(rest, "ENV", escape)


def _parse_label(rest: str, escape: str):
    return _parse_name_val(rest, "LABEL", escape)


def _parse_name_or_name_val(rest: str, escape: str):
    return parse_words(rest, escape), False, None


def _parse_strings_whitespace_delimited(rest: str, escape: str):
    if rest == "":
        return [], False, None
    return _RE_WHITESPACE.split(rest), False, None


def _parse_string(rest: str, escape: str):
    if rest == "":
        return [], False, None
    return [rest], False, None


class _NotStringArray(BuildKitError):
    pass


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_NOT_STRING_ARRAY = "when using JSON array syntax, arrays must be comprised of strings only"


def _parse_json(rest: str) -> list[str] | None:
    rest = trim_leading_whitespace(rest)
    if not rest.startswith("["):
        return None
    try:
        data = json.loads(rest, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, list):
        return None
    for item in data:
        if not isinstance(item, str):
            raise _NotStringArray(_NOT_STRING_ARRAY, "[")
    # Go's encoding/json turns an unpaired surrogate escape into U+FFFD
    return [_LONE_SURROGATE.sub("\ufffd", item) for item in data]


def _reject_constant(name: str):
    # Go's encoding/json knows no NaN or Infinity.
    raise ValueError(name)


def _parse_maybe_json(rest: str, escape: str):
    if rest == "":
        return [], False, None
    values = _parse_json(rest)
    if values is not None:
        return values, True, None
    return [rest], False, None


def _parse_maybe_json_to_list(rest: str, escape: str):
    values = _parse_json(rest)
    if values is not None:
        return values, True, None
    return _parse_strings_whitespace_delimited(rest, escape)


def _parse_health_config(rest: str, escape: str):
    data = rest.encode("utf-8")
    sep = 0
    while sep < len(data) and data[sep] not in _GO_SPACE_BYTES:
        sep += 1
    nxt = sep
    while nxt < len(data) and data[nxt] in _GO_SPACE_BYTES:
        nxt += 1
    if sep == 0:
        return [], False, None
    typ = data[:sep].decode("utf-8", "surrogateescape")
    values, is_json, _ = _parse_maybe_json(data[nxt:].decode("utf-8", "surrogateescape"), escape)
    return [typ, *values], is_json, None


_DISPATCH = {
    "add": _parse_maybe_json_to_list,
    "arg": _parse_name_or_name_val,
    "cmd": _parse_maybe_json,
    "copy": _parse_maybe_json_to_list,
    "entrypoint": _parse_maybe_json,
    "env": _parse_env,
    "expose": _parse_strings_whitespace_delimited,
    "from": _parse_strings_whitespace_delimited,
    "healthcheck": _parse_health_config,
    "label": _parse_label,
    "maintainer": _parse_string,
    "onbuild": _parse_sub_command,
    "run": _parse_maybe_json,
    "shell": _parse_maybe_json,
    "stopsignal": _parse_string,
    "user": _parse_string,
    "volume": _parse_maybe_json_to_list,
    "workdir": _parse_string,
}

KNOWN_INSTRUCTIONS = frozenset(_DISPATCH)


def _go_quote(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


# --- heredocs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HeredocSpec:
    name: str
    expand: bool
    chomp: bool
    fd: int


def can_contain_heredoc(node: LineNode) -> bool:
    target = node.effective
    return target.keyword.lower() in HEREDOC_KEYWORDS and not target.json


def heredocs_from_line(line: str) -> list[HeredocSpec]:
    """The heredocs a RUN/COPY/ADD line opens, in order."""
    if "<<" not in line:
        return []
    try:
        words = _ShellWords(line, raw_quotes=True, raw_escapes=True).words()
    except BuildKitError:
        words = []
    docs = []
    for word in words:
        doc = parse_heredoc(word)
        if doc is not None:
            docs.append(doc)
    return docs


def parse_heredoc(src: str) -> HeredocSpec | None:
    m = _RE_HEREDOC.match(src)
    if not m:
        return None
    fd = int(m.group(1)) if m.group(1) else 0
    chomp = m.group(2) == "-"
    rest = m.group(3)
    if not rest:
        return None
    words = _ShellWords(rest, raw_quotes=False, raw_escapes=False).words()
    if len(words) != 1:
        return None
    words_raw = _ShellWords(rest, raw_quotes=True, raw_escapes=False).words()
    if len(words_raw) != len(words):
        raise BuildKitError(f"internal lexing of heredoc produced inconsistent results: {rest}")
    word, raw = words[0], words_raw[0]
    expand = (word.count("'") + word.count('"')) == (raw.count("'") + raw.count('"'))
    return HeredocSpec(word, expand, chomp, fd)


class _ShellWords:
    """`shell.Lex.ProcessWords` with an empty environment and SkipUnsetEnv."""

    def __init__(self, text: str, *, raw_quotes: bool, raw_escapes: bool) -> None:
        self.s = text
        self.i = 0
        self.raw_quotes = raw_quotes
        self.raw_escapes = raw_escapes
        self.escape = "\\"

    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def next(self) -> str:
        if self.i < len(self.s):
            ch = self.s[self.i]
            self.i += 1
            return ch
        return ""

    def words(self) -> list[str]:
        _, words = self.process_stop_on("", self.raw_escapes)
        return words

    def process_stop_on(self, stop: str, raw_escapes: bool) -> tuple[str, list[str]]:
        saved = self.raw_escapes
        self.raw_escapes = raw_escapes
        try:
            return self._process_stop_on(stop)
        finally:
            self.raw_escapes = saved

    def _process_stop_on(self, stop: str) -> tuple[str, list[str]]:
        result: list[str] = []
        w = _Words()
        while self.peek() != "":
            ch = self.peek()
            if stop and ch == stop:
                self.next()
                return "".join(result), w.get()
            if ch == "$":
                tmp = self.process_dollar()
                result.append(tmp)
                w.add_string(tmp)
            elif ch == "<":
                tmp = self.process_possible_heredoc()
                result.append(tmp)
                w.add_raw_string(tmp)
            elif ch == "'":
                tmp = self.process_single_quote()
                result.append(tmp)
                w.add_raw_string(tmp)
            elif ch == '"':
                tmp = self.process_double_quote()
                result.append(tmp)
                w.add_raw_string(tmp)
            else:
                ch = self.next()
                if ch == self.escape:
                    if self.raw_escapes:
                        w.add_raw_char(ch)
                        result.append(ch)
                    ch = self.next()
                    if ch == "":
                        break
                    w.add_raw_char(ch)
                else:
                    w.add_char(ch)
                result.append(ch)
        if stop:
            raise BuildKitError(f"unexpected end of statement while looking for matching {stop}")
        return "".join(result), w.get()

    def process_single_quote(self) -> str:
        out = []
        ch = self.next()
        if self.raw_quotes:
            out.append(ch)
        while True:
            ch = self.next()
            if ch == "":
                raise BuildKitError("unexpected end of statement while looking for matching single-quote")
            if ch == "'":
                if self.raw_quotes:
                    out.append(ch)
                return "".join(out)
            out.append(ch)

    def process_double_quote(self) -> str:
        out = []
        ch = self.next()
        if self.raw_quotes:
            out.append(ch)
        while True:
            p = self.peek()
            if p == "":
                raise BuildKitError("unexpected end of statement while looking for matching double-quote")
            if p == '"':
                ch = self.next()
                if self.raw_quotes:
                    out.append(ch)
                return "".join(out)
            if p == "$":
                out.append(self.process_dollar())
                continue
            ch = self.next()
            if ch == self.escape:
                if self.raw_escapes:
                    out.append(ch)
                p = self.peek()
                if p == "":
                    continue
                if p in ('"', "$", self.escape):
                    ch = self.next()
            out.append(ch)

    def process_possible_heredoc(self) -> str:
        self.next()
        if self.peek() != "<":
            return "<"
        self.next()
        space = []
        while self.peek() in ("\t", "\r", " ") and self.peek() != "":
            space.append(self.next())
        return "<<" + "".join(space)

    def process_name(self) -> str:
        name: list[str] = []
        while self.peek() != "":
            ch = self.peek()
            if not name and ch.isdigit():
                while self.peek() != "" and self.peek().isdigit():
                    name.append(self.next())
                return "".join(name)
            if not name and ch in "@*#?-$!0":
                return self.next()
            if not (ch.isalpha() or ch.isdigit() or ch == "_"):
                break
            name.append(self.next())
        return "".join(name)

    def process_dollar(self) -> str:
        self.next()
        if self.peek() != "{":
            name = self.process_name()
            if name == "":
                return "$"
            return "$" + name
        self.next()
        p = self.peek()
        if p == "":
            raise BuildKitError("syntax error: missing '}'")
        if p in "{}:":
            raise BuildKitError("syntax error: bad substitution")
        name = self.process_name()
        ch = self.next()
        chs = ch
        null_is_unset = False
        if ch == "}":
            return "${" + name + "}"
        if ch == ":":
            null_is_unset = True
            ch = self.next()
            chs += ch
        if ch in ("+", "-", "?", "#", "%") or null_is_unset:
            raw = ch in ("#", "%")
            if null_is_unset and raw:
                raise BuildKitError(f"unsupported modifier ({chs}) in substitution")
            try:
                word, _ = self.process_stop_on("}", raw)
            except BuildKitError:
                if self.peek() == "":
                    raise BuildKitError("syntax error: missing '}'") from None
                raise
            return "${" + name + chs + word + "}"
        if ch == "/":
            if self.peek() == "/":
                self.next()
            try:
                pattern, _ = self.process_stop_on("/", True)
            except BuildKitError:
                raise BuildKitError("syntax error: missing '/' in ${}") from None
            try:
                replacement, _ = self.process_stop_on("}", True)
            except BuildKitError:
                raise BuildKitError("syntax error: missing '}'") from None
            return "${" + name + "/" + pattern + "/" + replacement + "}"
        raise BuildKitError(f"unsupported modifier ({chs}) in substitution")


class _Words:
    __slots__ = ("buf", "words", "in_word")

    def __init__(self) -> None:
        self.buf: list[str] = []
        self.words: list[str] = []
        self.in_word = False

    def add_char(self, ch: str) -> None:
        if ch in _GO_SPACE:
            if self.in_word and self.buf:
                self.words.append("".join(self.buf))
                self.buf = []
                self.in_word = False
        else:
            self.add_raw_char(ch)

    def add_raw_char(self, ch: str) -> None:
        self.buf.append(ch)
        self.in_word = True

    def add_string(self, s: str) -> None:
        for ch in s:
            self.add_char(ch)

    def add_raw_string(self, s: str) -> None:
        self.buf.append(s)
        self.in_word = True

    def get(self) -> list[str]:
        if self.buf:
            self.words.append("".join(self.buf))
            self.buf = []
            self.in_word = False
        return self.words
