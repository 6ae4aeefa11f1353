"""A mutation fuzzer over the corpus: what the parser and the engine promise for any text.

Every Dockerfile under corpus/ (except corpus/errors) is a seed. Each input
is one of them (or a splice of two) put through one to three deterministic,
seeded mutations: character and byte flips, truncation, duplicated, shuffled
and deleted lines, inserted escape characters (backslash and backtick),
inserted `# escape=` lines, heredoc markers with and without bodies, inserted
carriage returns, random printable and non-ASCII characters (never NUL).

The contract (DESIGN.md, "Text and bytes"), for every input, on the strict API:
`parse(text)` raises `ParseError`, or it returns a tree with `.code == text`
and then `refactor(text)` returns output that `parse` accepts, that BuildKit
accepts (unless the output uses a construct the reference's BuildKit version
reads differently, or holds no instructions), and that a second `refactor`
leaves unchanged. Any other exception is a failure; so is a `ParseError` that
says "internal error" (the scanner and the grammar disagree).

A second, shorter run holds the lenient API (`parse(text, strict=False)`) to
what it promises: it accepts exactly what BuildKit's parser accepts, reads it
as BuildKit does, and round-trips; whatever the strict parser accepts, it accepts.

Input counts: `REFACTOR_FUZZ_INPUTS` (default 2000; the lenient run does a
quarter as many), first seed `REFACTOR_FUZZ_SEED` (default 0). The dedicated run:

    REFACTOR_FUZZ_INPUTS=100000 pytest tests/test_fuzz.py -s

(about two and a half minutes on two cores; the default run takes a few seconds and
belongs to the normal suite, so the module carries no marker). With `-s` each test
prints one line: inputs, parsed, rejected, and those left out or repeated.

Inputs that BuildKit v0.12.5 (the reference) reads unlike current BuildKit are not
judged by it: tests/judge.py's `version_difference`, widened here for what mutations
bring out (see `version_difference` below).

A failure names the seed of each failing input (an input depends on its seed and on the
corpus: seeds reproduce against the same corpus/); reproduce one with

    python -c "import sys; sys.path[:0] = ['tests']; import test_fuzz; print(repr(test_fuzz.make_input(SEED)[0]))"
"""

from __future__ import annotations

import json
import os
import random
import re
import traceback
from pathlib import Path

import pytest

from judge import ours, reference
from judge import version_difference as _judge_version_difference
from refactor import ParseError, parse
from refactor.engine.engine import refactor

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
INPUTS = int(os.environ.get("REFACTOR_FUZZ_INPUTS", "2000"))
FIRST_SEED = int(os.environ.get("REFACTOR_FUZZ_SEED", "0"))
MAX_REPORTED = 20  # failures shown in full; the rest are counted


def _is_dockerfile(name: str) -> bool:
    return (
        name in ("Dockerfile", "Containerfile")
        or name.startswith(("Dockerfile.", "Containerfile."))
        or name.endswith((".Dockerfile", ".dockerfile"))
    )


SOURCES: list[tuple[Path, str]] = [
    (p, p.read_bytes().decode("utf-8"))
    for p in sorted(CORPUS.rglob("*"))
    if p.is_file() and _is_dockerfile(p.name) and "errors" not in p.relative_to(CORPUS).parts
]


# --- mutations -----------------------------------------------------------------------------------

ASCII = [chr(c) for c in range(0x20, 0x7F)] + ["\t", "\n"]
# non-ASCII, including what str.splitlines() treats as line breaks but Dockerfiles do not
OTHER = ["é", "ß", "日本", "ü", "\u00a0", "\u2028", "\u2029", "\u0085", "\ufeff", "\u200b", "\U0001f600",
         "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x7f", "\u0301", "Ω", "\u3000"]
ESCAPES = ["\\", "`", "\\\\", "``", "\\ ", "` ", "\\\t", "\\\r"]
ESCAPE_LINES = ["# escape=`\n", "# escape=\\\n", "#escape=`\n", "# ESCAPE = `\n", "# escape=`\r\n",
                "# escape=x\n", "# escape=\n", "# escape=``\n", "\ufeff# escape=`\n", "  # escape = ` \n"]
HEREDOC_WORDS = ["<<EOF", "<<-EOF", "<<'X'", '<<"EOF"', "<<-'X'", "<<EOF <<X", "<<EOF cat", "<<X\\", "<<", "<<E`OF"]
HEREDOC_BODIES = ["echo hi\n", "\techo tab\n", "", "EOFX\n", "  X\n", "${A:-b} $B\n", "line\\\nmore\n", "`\n"]


def _lines(text: str) -> list[str]:
    """Lines as Dockerfiles see them: split on \\n only, each keeping its end."""
    parts = text.split("\n")
    out = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        out.append(parts[-1])
    return out


def _random_char(rng: random.Random) -> str:
    return rng.choice(OTHER) if rng.random() < 0.35 else rng.choice(ASCII)


def _position(rng: random.Random, text: str, *, line_end_bias: float = 0.0) -> int:
    """A random offset; with `line_end_bias`, often just before a line's end."""
    if text and rng.random() < line_end_bias:
        ends = [i for i, c in enumerate(text) if c == "\n"] + [len(text)]
        i = rng.choice(ends)
        return i - 1 if i > 0 and text[i - 1] == "\r" and rng.random() < 0.7 else i
    return rng.randrange(len(text) + 1)


def flip_chars(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 4)):
        if not chars:
            break
        i = rng.randrange(len(chars))
        code = ord(chars[i]) ^ (1 << rng.randrange(8))
        new = chr(code)
        if code == 0 or 0xD800 <= code <= 0xDFFF:
            new = _random_char(rng)
        chars[i] = new
    return "".join(chars)


def flip_bytes(rng: random.Random, text: str) -> str:
    """A flipped bit in the UTF-8 bytes; what does not decode any more reads as U+FFFD."""
    data = bytearray(text.encode("utf-8"))
    for _ in range(rng.randint(1, 3)):
        if not data:
            break
        i = rng.randrange(len(data))
        data[i] ^= 1 << rng.randrange(8)
    return bytes(data).decode("utf-8", "replace")


def truncate(rng: random.Random, text: str) -> str:
    return text[: rng.randrange(len(text) + 1)]


def duplicate_lines(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    if not lines:
        return text
    i = rng.randrange(len(lines))
    n = rng.randint(1, 4)
    chunk = lines[i : i + n]
    if not chunk[-1].endswith("\n"):
        chunk[-1] += "\n"
    j = i + len(chunk) if rng.random() < 0.5 else rng.randrange(len(lines) + 1)
    if j == len(lines) and lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    return "".join(lines[:j] + chunk + lines[j:])


def shuffle_lines(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    if len(lines) < 2:
        return text
    if lines[-1] and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    if rng.random() < 0.3:
        rng.shuffle(lines)
    else:
        i = rng.randrange(len(lines) - 1)
        window = lines[i : i + rng.randint(2, 6)]
        rng.shuffle(window)
        lines[i : i + len(window)] = window
    return "".join(lines)


def delete_lines(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    for _ in range(rng.randint(1, 3)):
        if not lines:
            break
        del lines[rng.randrange(len(lines))]
    return "".join(lines)


def insert_escapes(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 3)):
        i = _position(rng, text, line_end_bias=0.6)
        text = text[:i] + rng.choice(ESCAPES) + text[i:]
    return text


def insert_escape_directive(rng: random.Random, text: str) -> str:
    line = rng.choice(ESCAPE_LINES)
    lines = _lines(text)
    where = rng.choice([0, 0, 0, 1, 2, rng.randrange(len(lines) + 1)])
    where = min(where, len(lines))
    if where == len(lines) and lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    return "".join(lines[:where] + [line] + lines[where:])


def insert_heredoc(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    if not lines:
        return rng.choice(["RUN ", "COPY ", "ADD "]) + rng.choice(HEREDOC_WORDS) + "\n"
    candidates = [i for i, l in enumerate(lines) if l.lstrip().upper().startswith(("RUN", "COPY", "ADD", "ONBUILD"))]
    i = rng.choice(candidates) if candidates and rng.random() < 0.8 else rng.randrange(len(lines))
    line = lines[i]
    end = len(line) - len(line.rstrip("\r\n"))
    word = rng.choice(HEREDOC_WORDS)
    body: list[str] = []
    if rng.random() < 0.7:  # with a body
        body = [rng.choice(HEREDOC_BODIES) for _ in range(rng.randint(0, 3))]
        if rng.random() < 0.85:  # and its terminator
            name = word.split()[0].lstrip("<-").strip("'\"") or "EOF"
            terminator = name if "-" not in word.split()[0] else rng.choice(["", "\t", "\t\t"]) + name
            body.append(terminator + ("\n" if rng.random() < 0.9 else ""))
            if " <<" in word:  # the second heredoc's body too
                body += ["two\n", "X\n"]
    head = line[: len(line) - end] + rng.choice([" ", "", "  "]) + word + (line[len(line) - end :] or "\n")
    return "".join(lines[:i] + [head] + body + lines[i + 1 :])


def insert_cr(rng: random.Random, text: str) -> str:
    r = rng.random()
    if r < 0.25:
        return text.replace("\n", "\r\n")
    if r < 0.4:
        return text.replace("\n", "\r")
    for _ in range(rng.randint(1, 3)):
        i = _position(rng, text, line_end_bias=0.5)
        text = text[:i] + "\r" + text[i:]
    return text


def insert_chars(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 5)):
        i = _position(rng, text, line_end_bias=0.2)
        text = text[:i] + "".join(_random_char(rng) for _ in range(rng.randint(1, 3))) + text[i:]
    return text


def splice(rng: random.Random, text: str) -> str:
    other = rng.choice(SOURCES)[1]
    a, b = _lines(text), _lines(other)
    head = a[: rng.randrange(len(a) + 1)]
    if head and not head[-1].endswith("\n") and rng.random() < 0.8:
        head[-1] += "\n"
    return "".join(head + b[rng.randrange(len(b) + 1) :])


MUTATIONS = [flip_chars, flip_bytes, truncate, duplicate_lines, shuffle_lines, delete_lines, insert_escapes,
             insert_escape_directive, insert_heredoc, insert_cr, insert_chars, splice]


def make_input(seed: int) -> tuple[str, Path, list[str]]:
    """The input for `seed`: its text, the corpus file it grew from (its folder is the build context),
    and the names of the mutations applied."""
    rng = random.Random(seed)
    path, text = SOURCES[rng.randrange(len(SOURCES))]
    applied = []
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
        mutation = MUTATIONS[rng.randrange(len(MUTATIONS))]
        text = mutation(rng, text)
        applied.append(mutation.__name__)
    return text.replace("\x00", "@"), path, applied


# --- the properties ------------------------------------------------------------------------------

# corpus/syntax/version-directive-unicode-space: current BuildKit trims any Unicode space in a
# directive line, v0.12.5 only ASCII space; a mutation can move such a line anywhere
_UNICODE_SPACE_IN_COMMENT = re.compile(
    r"^\ufeff?[ \t]*#[^\n]*[\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]", re.M)
# whitespace of any kind between << and a heredoc word (the judge's pattern has space and tab)
_HEREDOC_WITH_WHITESPACE = re.compile(r"<<-?[ \t\r\x0b\x0c]")
# Go's unicode.IsSpace (BuildKit trims with it); Python's str.strip() also takes \x1c-\x1f
GO_SPACE = " \t\n\x0b\x0c\r\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
           "\u2028\u2029\u202f\u205f\u3000"


def version_difference(text: str) -> str | None:
    """tests/judge.py's list, plus what only mutations bring out (see the helpers below)."""
    why = _judge_version_difference(text)
    if why is None and _UNICODE_SPACE_IN_COMMENT.search(text):
        why = "a Unicode space in a comment or directive line (trimmed by current BuildKit only)"
    if why is None and _HEREDOC_WITH_WHITESPACE.search(text):
        why = "whitespace between << and a heredoc word (a heredoc since BuildKit v0.22)"
    if why is None and "[" in text and _json_with_trailing_text(text):
        why = "a JSON array followed by more text (v0.12.5 decoded only the first value)"
    return why


def _json_with_trailing_text(text: str) -> bool:
    """Like the judge's check, but also after flags, with Go's idea of trailing space, and on
    physical lines when our parser rejects the text (a heredoc marker after the array, say)."""
    rests: list[str] = []
    try:
        df = parse(text, strict=False)
    except ParseError:
        df = None
    if df is not None:
        for ins in df.instructions:
            for node in (ins.meaning, ins.meaning.sub):
                if node is not None and node.original:
                    rests.append(_after_keyword_and_flags(node.original, onbuild=node is ins.meaning and node.sub is not None))
    rests += [_after_keyword_and_flags(line, onbuild=line.lstrip().upper().startswith("ONBUILD"))
              for line in text.split("\n") if "[" in line]
    decoder = json.JSONDecoder()
    for rest in rests:
        if not rest.startswith("["):
            continue
        try:
            value, end = decoder.raw_decode(rest)
        except ValueError:
            continue
        if isinstance(value, list) and rest[end:].strip(GO_SPACE):
            return True
    return False


def _after_keyword_and_flags(line: str, *, onbuild: bool) -> str:
    rest = line.strip(GO_SPACE)
    for _ in range(2 if onbuild else 1):
        rest = re.split(r"[ \t]+", rest, maxsplit=1)[1] if re.search(r"[ \t]", rest) else ""
    while rest.startswith("--"):
        rest = re.split(r"[ \t]+", rest, maxsplit=1)[1] if re.search(r"[ \t]", rest) else ""
    return rest


class Unjudged(Exception):
    """The reference cannot say: the binding fails to hand BuildKit's reading back to Python."""


def judge(text: str):
    try:
        return reference(text)
    except UnicodeDecodeError as e:
        # BuildKit's flag reader walks bytes, not characters, and unicode.IsSpace(0x85 or 0xa0) is
        # true: the second byte of U+0085, U+00A0, "Å", "à", ... splits a word inside a character,
        # and the binding cannot decode the broken string it gets back
        raise Unjudged(str(e)) from None


def check_strict(text: str, path: Path) -> str:
    """'rejected' or 'parsed'; raises AssertionError (or anything else) when the contract breaks."""
    try:
        tree = parse(text)
    except ParseError as e:
        assert not e.message.startswith("internal error"), f"parse: {e.message}"
        return "rejected"
    assert tree.code == text, "parse(text).code != text"
    result = refactor(text, path=str(path), context=path.parent)
    out = result.code
    if out == text:
        return "parsed"  # the input is the output: already parsed above; nothing to judge twice
    try:
        parse(out)
    except ParseError as e:
        raise AssertionError(f"the refactored output does not parse: {e}\noutput: {_short(out)}") from None
    if version_difference(out) is None:
        try:
            judged = judge(out)
        except Unjudged:
            judged = None  # nothing to compare with; the other properties still hold
        if isinstance(judged, str) and "no instructions" not in judged:
            try:
                before = judge(text)
            except Unjudged:
                before = None
            note = ("" if not isinstance(before, str) or version_difference(text) else
                    f"\n(BuildKit rejects the input too: {before}; our strict parser accepted it)")
            raise AssertionError(f"BuildKit rejects the refactored output: {judged}{note}\n"
                                 f"changes: {[c.code for c in result.changes]}\noutput: {_short(out)}")
    second = refactor(out, path=str(path), context=path.parent)
    assert second.code == out, (f"a second refactor changes the output again: {[c.code for c in second.changes]}\n"
                                f"output: {_short(out)}\nsecond: {_short(second.code)}")
    return "parsed"


def check_lenient(text: str) -> str:
    """'rejected', 'parsed' or 'version' (left out); raises when the lenient API breaks its promise."""
    try:
        tree = parse(text, strict=False)
    except ParseError as e:
        assert not e.message.startswith("internal error"), f"parse(strict=False): {e.message}"
        tree = None
        try:
            parse(text)
        except ParseError:
            pass
        else:
            raise AssertionError(f"the strict parser accepts what the lenient one rejects ({e.message})")
    if tree is not None:
        assert tree.code == text, "parse(text, strict=False).code != text"
    if version_difference(text):
        return "version"
    expected = judge(text)
    if isinstance(expected, str):
        if "no instructions" in expected:
            assert tree is not None and tree.instructions == (), f"BuildKit: {expected}; we: {ours(text)}"
            return "parsed"
        assert tree is None, f"BuildKit rejects it ({expected}) but parse(strict=False) accepts it"
        return "rejected"
    assert tree is not None, f"BuildKit accepts it but parse(strict=False) rejects it: {ours(text)}"
    got = ours(text)
    assert got == expected, f"read differently:\nBuildKit: {expected}\nwe:       {got}"
    return "parsed"


def _short(text: str, limit: int = 600) -> str:
    r = repr(text)
    return r if len(r) <= limit else r[: limit // 2] + " … " + r[-limit // 2 :]


def _run(check, count: int, label: str) -> None:
    counts: dict[str, int] = {}
    failures: list[str] = []
    seen: set[str] = set()
    for seed in range(FIRST_SEED, FIRST_SEED + count):
        text, path, applied = make_input(seed)
        if text in seen:  # the same text twice: judged once
            counts["repeated"] = counts.get("repeated", 0) + 1
            continue
        seen.add(text)
        try:
            outcome = check(text) if check is check_lenient else check(text, path)
        except Unjudged:
            outcome = "unjudged"
        except Exception as e:  # noqa: BLE001 - anything else is the failure we look for
            outcome = "failed"
            if len(failures) < MAX_REPORTED:
                kind = "" if isinstance(e, AssertionError) else "".join(traceback.format_exception(e)[-6:])
                failures.append(f"seed {seed} ({path.relative_to(ROOT)}; {', '.join(applied)}): "
                                f"{type(e).__name__}: {e}\n{kind}input: {_short(text)}")
        counts[outcome] = counts.get(outcome, 0) + 1
    summary = (f"fuzz ({label}): {count} inputs, {counts.get('parsed', 0)} parsed, "
               f"{counts.get('rejected', 0)} rejected"
               + (f", {counts['version']} left out (BuildKit version differences)" if counts.get("version") else "")
               + (f", {counts['unjudged']} the reference could not judge" if counts.get("unjudged") else "")
               + (f", {counts['repeated']} repeated" if counts.get("repeated") else "")
               + f", {counts.get('failed', 0)} failed (seeds {FIRST_SEED}..{FIRST_SEED + count - 1})")
    print("\n" + summary)
    assert not failures, summary + "\n\n" + "\n\n".join(failures)


def test_mutated_corpus_parses_or_is_rejected_and_refactors_cleanly() -> None:
    _run(check_strict, INPUTS, "strict")


def test_mutated_corpus_lenient_parse_reads_as_buildkit() -> None:
    _run(check_lenient, max(INPUTS // 4, 1), "lenient")


# --- what the fuzzer found, kept as fixed cases (the smallest inputs that show each) -------------

FOUND_STRICT = [
    # HY008 globs an ADD source in the context with pathlib, which rejects "**" inside a component:
    # ValueError "Invalid pattern: '**' can only be an entire path component"
    ("add-double-star-inside-a-name", "FROM alpine:3.20\nADD **conf /etc/app/\n", "corpus/syntax/add-flags"),
    # CO001 copies `RUN poetry install --only main\\` (an escaped backslash, not a continuation) as
    # `... main\ --no-root` before `COPY . .`, again in every round and on every later run
    ("co001-escaped-backslash-at-end", "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN poetry install --only main\\\\\n",
     "corpus/rules/CO001/poetry-deps-only-first"),
]


@pytest.mark.parametrize("name, text, context", FOUND_STRICT, ids=[c[0] for c in FOUND_STRICT])
def test_found_inputs_strict(name: str, text: str, context: str) -> None:
    check_strict(text, ROOT / context / "Dockerfile")


FOUND_LENIENT = [
    # a nested ONBUILD (the strict parser rejects it): BuildKit's node for `ONBUILD ONBUILD COPY x /y`
    # carries one empty value, our reading none
    ("onbuild-onbuild-trigger", "FROM alpine:3.20\nONBUILD ONBUILD COPY x /y\n"),
    ("onbuild-continued-onbuild", "FROM alpine:3.20\nONBUILD \\\nONBUILD RUN x\n"),
]


@pytest.mark.parametrize("name, text", FOUND_LENIENT, ids=[c[0] for c in FOUND_LENIENT])
def test_found_inputs_lenient(name: str, text: str) -> None:
    assert check_lenient(text) != "version"  # judged by the reference, not left out
