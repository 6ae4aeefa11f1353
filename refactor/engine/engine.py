"""The engine: run the selected rules, in a fixed order, until nothing changes.

Each round asks every rule in turn for fixes on the current tree, applies the
ones allowed at the chosen level (all of one rule's fixes at once), and parses
again the instructions they changed, so the next rule reasons about what the
file now says; the final text is parsed whole once more, as the safety net.
Unsafe fixes below the level become suggestions; `Skip`s are reported with
their reasons. Every change is reported at its place in the *input*: a range,
and where it stands on its own, a text edit that applies to the input alone.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Iterable

from ..model import BuildContext, Model, Options
from ..rules import Rule, all_rules
from ..rules.base import FileFix, Fix, Safety, Skip
from ..syntax.errors import ParseError
from ..syntax.parser import parse
from ..syntax.tree import Dockerfile, Instruction
from ..syntax.edits import EditConflict, InsertAfter, InsertBefore, Remove, Replace, Style, apply_edits, edited_pieces

__all__ = ["refactor", "Result", "Change", "Range", "TextEdit", "select_rules"]

MAX_ROUNDS = 8
CHECK_WINDOWS = False  # tests: also parse the whole text after every change, and compare the trees


@dataclass(frozen=True)
class Range:
    """1-based, end exclusive of the last column: (start_line, start_col) to (end_line, end_col)."""

    start_line: int
    start_col: int
    end_line: int
    end_col: int


@dataclass(frozen=True)
class TextEdit:
    range: Range
    new_text: str


@dataclass(frozen=True)
class Change:
    code: str
    title: str
    safety: str  # "safe", "review", "unsafe"
    message: str
    range: Range
    edit: TextEdit | None  # applies on its own to the input; None where it needs the others
    applied: bool = True
    # the file the edit applies to: the Dockerfile's path, or a second file (a `.dockerignore`)
    path: str | None = None

    @property
    def line(self) -> int:
        return self.range.start_line

    @property
    def column(self) -> int:
        return self.range.start_col


@dataclass
class Result:
    original: str
    code: str
    changes: list[Change] = field(default_factory=list)  # applied
    suggestions: list[Change] = field(default_factory=list)  # held back by the level
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (rule code, reason)
    path: str | None = None
    original_tree: Dockerfile | None = field(default=None, repr=False, compare=False)
    tree: Dockerfile | None = field(default=None, repr=False, compare=False)  # the tree of `code`
    # path -> new text of every file the run writes, the Dockerfile's (under `path`, or
    # "Dockerfile") included; `originals` has the text now of the others (None: a new file)
    files: dict[str, str] = field(default_factory=dict)
    originals: dict[str, str | None] = field(default_factory=dict)

    @property
    def dockerfile_key(self) -> str:
        return self.path if self.path is not None else "Dockerfile"

    @property
    def other_files(self) -> dict[str, str]:
        """The second files the changes write (path -> new text), the Dockerfile left out."""
        return {p: t for p, t in self.files.items() if p != self.dockerfile_key and t != self.originals.get(p)}

    @property
    def changed(self) -> bool:
        return self.code != self.original or bool(self.other_files)


def select_rules(select: Iterable[str] | None = None, ignore: Iterable[str] | None = None) -> list[Rule]:
    """Rules by code or prefix (`HY`, `HY003`) or name; `ignore` wins over `select`."""
    rules = all_rules()

    def matches(rule: Rule, keys: Iterable[str]) -> bool:
        for k in keys:
            k = k.strip()
            if not k:
                continue
            if k.upper() == "ALL" or rule.code.startswith(k.upper()) or rule.name == k.lower():
                return True
        return False

    chosen = [r for r in rules if select is None or matches(r, select)]
    if ignore:
        chosen = [r for r in chosen if not matches(r, ignore)]
    return chosen


def refactor(
    text: str,
    *,
    path: str | None = None,
    context: BuildContext | str | None = None,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    level: str | Safety = "review",
    unsafe_fixes: bool = False,
    options: Options | None = None,
    _windows: bool = True,
) -> Result:
    """Refactor a Dockerfile's text. Raises `ParseError` for input Docker rejects.

    The text is parsed once; after a rule's edits only the instructions they changed are parsed
    again (each window with the instruction after it, see `_reparsed`), and the final text is
    parsed once more, as the safety net: should that tree differ from the one the windows built,
    the file is refactored again with whole parses (`_windows=False`), as before.
    """
    limit = Safety.UNSAFE if unsafe_fixes else Safety.parse(level)
    if not isinstance(context, BuildContext):
        context = BuildContext.at(context)
    options = options or Options()
    rules = select_rules(select, ignore)
    original = parse(text, path=path)
    result = Result(original=text, code=text, path=path, original_tree=original, tree=original)
    result.files[result.dockerfile_key] = text
    if not original.instructions:
        result.skipped.append(("", "no instructions"))
        return result

    df = original
    lineage = _Lineage(original)
    held: dict[tuple[str, int, str], Change] = {}
    skipped: dict[tuple[str, str], None] = {}
    positions = _Positions(original)

    internal: dict[tuple[str, str], None] = {}  # rules whose changes the engine refused
    changed_by: set[str] = set()
    file_fixes: list[tuple[Rule, FileFix]] = []
    for _round in range(MAX_ROUNDS):
        changed = False
        skipped = {}  # what the rules declined on the file as it now stands: the last round's count
        file_fixes = []  # second files are proposed for the file as it finally stands: the last round's
        for rule in rules:
            model = Model(df, context, options)
            allowed: list[Fix] = []
            for item in rule.check(model):
                if isinstance(item, Skip):
                    if item.settled and rule.area in changed_by:
                        continue
                    where = lineage.anchor_of(item.target, df) if item.target is not None else None
                    reason = item.reason
                    if where is not None:
                        reason = f"line {positions.position(positions.starts[id(where)][1])[0]}: {reason}"
                    skipped.setdefault((rule.code, reason), None)
                    continue
                if isinstance(item, FileFix):
                    if item.target is None or not _suppressed(item.target, rule):
                        file_fixes.append((rule, item))
                    continue
                if _suppressed(item.target, rule):
                    continue
                if item.safety > limit:
                    key = (rule.code, id(lineage.anchor_of(item.target, df)), item.message)
                    if key not in held:
                        held[key] = _change(rule, item, df, lineage, original, positions, applied=False,
                                            edits=options.standalone_edits)
                    continue
                allowed.append(item)
            allowed = _without_conflicts(allowed)
            if not allowed:
                continue
            edits = [e for f in allowed for e in f.edits]
            try:
                header, pieces, trailing = edited_pieces(df, edits, model.style)
            except EditConflict:  # pragma: no cover - _without_conflicts prevents it
                continue
            new_text = header + "".join(pieces) + trailing
            if new_text == df.code:
                continue
            new_df = _reparsed(df, header, pieces, path) if _windows else None
            if new_df is None:  # a window could not tell: the whole text, as the reference does
                try:
                    new_df = parse(new_text, path=path)
                except ParseError as e:
                    internal.setdefault((rule.code, f"internal: the change would not parse ({e.message}); left as it was"), None)
                    continue
            elif CHECK_WINDOWS:
                _check_same(new_df, parse(new_text, path=path))
            if not _untouched_kept(df, new_df, edits):
                internal.setdefault((rule.code, "internal: the change would alter instructions it does not name; left as it was"), None)
                continue
            changed_by.add(rule.area)
            for fix in allowed:
                result.changes.append(_change(rule, fix, df, lineage, original, positions, applied=True,
                                                      edits=options.standalone_edits))
            lineage.carry(df, new_df)
            df = new_df
            changed = True
        if not changed:
            break

    proposed = df  # the tree the last round's rules saw: their second-file fixes name its instructions
    if df is not original and _windows:
        # the safety net: the final text read whole must give the tree the windows built
        try:
            whole = parse(df.code, path=path)
        except ParseError:
            whole = None
        if whole is None or not _same_tree(df, whole):  # pragma: no cover - CHECK_WINDOWS tests say never
            return refactor(text, path=path, context=context, select=select, ignore=ignore, level=limit,
                            options=options, _windows=False)
        df = whole
    result.code = df.code
    result.tree = df
    result.files[result.dockerfile_key] = df.code
    applied_keys = {(c.code, c.range.start_line) for c in result.changes}
    result.suggestions = [c for c in held.values() if (c.code, c.range.start_line) not in applied_keys]
    for rule, fix in file_fixes:
        change = _file_change(rule, fix, proposed, lineage, positions, context, path, applied=fix.safety <= limit)
        if change.path in result.originals:  # one rule per file and run: the first one's proposal stands
            continue
        result.originals[change.path] = fix.original
        if change.applied:
            result.changes.append(change)
            result.files[change.path] = fix.text
        else:
            result.suggestions.append(change)
    result.skipped = [*skipped, *internal]
    return result


# --- parsing again only what changed ------------------------------------------------------

_FROM = "FROM scratch\n"  # ends the parser directives and opens a stage, as earlier lines did
_GLOBAL = "ARG refactor_window\n"  # ends the parser directives before the first FROM


def _reparsed(df: Dockerfile, header: str, pieces: list[str], path: str | None) -> Dockerfile | None:
    """The tree of the edited text, parsing only the runs of instructions whose piece changed.

    The scanner reads line by line, and between two instructions all it carries is the escape
    character (from the directives), whether directives may still come and whether a FROM was
    seen. A window is the header, a line that leaves the scanner in the state the earlier
    instructions left it in, the changed pieces, and the unchanged instruction that follows
    (or the trailing lines): it must come back whole, or this returns None and the caller parses
    everything. Untouched instructions are kept, moved by the lines the windows added.
    """
    old = df.instructions
    if header != "".join(n.code for n in df.header):
        return None
    changed = [piece != ins.code for piece, ins in zip(pieces, old)]
    out: list[Instruction] = []
    shift = 0  # lines the windows so far added (or removed)
    line = header.count("\n")  # line breaks before the current instruction's piece
    k = 0
    while k < len(old):
        if not changed[k]:
            ins = old[k]
            out.append(ins if not shift else _moved(ins, shift))
            line += pieces[k].count("\n")
            k += 1
            continue
        end = k
        while end < len(old) and changed[end]:
            end += 1
        body = "".join(pieces[k:end])
        following = old[end].code if end < len(old) else "".join(t.code for t in df.trailing)
        if k == 0:
            prefix, base = header, 0
        else:
            prefix = header + (_FROM if any(i.keyword == "FROM" for i in old[:k]) else _GLOBAL)
            base = line - prefix.count("\n")
        try:
            got = parse(prefix + body + following, path=path)
        except ParseError:
            return None
        new = list(got.instructions[0 if k == 0 else 1:])
        if end < len(old):
            if not new or new[-1].code != following or got.trailing:
                return None
            new.pop()
        elif "".join(t.code for t in got.trailing) != following:
            return None
        if k == 0 and got.header != df.header:
            return None
        out.extend(ins if not base else _moved(ins, base) for ins in new)
        added = body.count("\n")
        shift += added - sum(i.code.count("\n") for i in old[k:end])
        line += added
        k = end
    return Dockerfile(header=df.header, instructions=tuple(out), trailing=df.trailing, escape=df.escape, path=path)


def _moved(ins: Instruction, lines: int) -> Instruction:
    return Instruction(ins.leading, ins.tokens, ins.heredocs, ins.meaning, ins.start_line + lines, ins.end_line + lines)


def _same_tree(a: Dockerfile, b: Dockerfile) -> bool:
    if a.header != b.header or a.trailing != b.trailing or a.escape != b.escape:
        return False
    if len(a.instructions) != len(b.instructions):
        return False
    return all(x.leading == y.leading and x.tokens == y.tokens and x.heredocs == y.heredocs and x.meaning == y.meaning
               and x.start_line == y.start_line and x.end_line == y.end_line
               for x, y in zip(a.instructions, b.instructions))


def _check_same(windowed: Dockerfile, whole: Dockerfile) -> None:
    if not _same_tree(windowed, whole):
        raise AssertionError(f"the windows' tree differs from the whole text's:\n{whole.code}")


# --- suppression ---------------------------------------------------------------------------

_PRAGMA = re.compile(r"#\s*refactor:\s*ignore(?:\[([A-Za-z0-9_,\s-]*)\])?", re.I)
_HADOLINT = re.compile(r"#\s*hadolint\s+ignore\s*=\s*([A-Za-z0-9_,\s-]+)", re.I)


def _suppressed(target: Instruction, rule: Rule) -> bool:
    """`# refactor: ignore[CODE]` or `# hadolint ignore=DLxxxx` on the line before the instruction."""
    comments = [t for t in target.leading if type(t).__name__ == "Comment"]
    if not comments:
        return False
    last = target.leading[-1]
    if type(last).__name__ != "Comment":
        return False
    line = last.code
    m = _PRAGMA.search(line)
    if m:
        if m.group(1) is None:
            return True
        codes = {c.strip().upper() for c in m.group(1).split(",")}
        return any(rule.code.startswith(c) for c in codes if c)
    m = _HADOLINT.search(line)
    if m:
        codes = {c.strip().upper() for c in m.group(1).split(",")}
        return bool(codes & set(rule.resolves))
    return False


def _without_conflicts(fixes: list[Fix]) -> list[Fix]:
    """Keep fixes whose replaced/removed instructions differ; the rest wait for the next round."""
    taken: set[int] = set()
    out = []
    for f in fixes:
        owned = {id(e.target) for e in f.edits if isinstance(e, (Replace, Remove))}
        if owned & taken:
            continue
        taken |= owned
        out.append(f)
    return out


# --- where a change is, in the input ----------------------------------------------------------


class _Positions:
    """Offsets and line/column of each input instruction."""

    def __init__(self, df: Dockerfile) -> None:
        self.text = df.code
        self.style = Style.of(df)  # the input's style, for each change's standalone edit
        self.starts: dict[int, tuple[int, int, int]] = {}  # id -> (leading start, own start, end)
        offset = sum(len(n.code) for n in df.header)
        for ins in df.instructions:
            lead = sum(len(t.code) for t in ins.leading)
            own = len(ins.own_code)
            self.starts[id(ins)] = (offset, offset + lead, offset + lead + own)
            offset += lead + own
        self._line_starts = [0] + [i + 1 for i, ch in enumerate(self.text) if ch == "\n"]

    def position(self, offset: int) -> tuple[int, int]:
        import bisect

        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line] + 1

    def range(self, start: int, end: int) -> Range:
        sl, sc = self.position(start)
        el, ec = self.position(end)
        return Range(sl, sc, el, ec)


class _Lineage:
    """Which input instruction each current instruction still is (`origin`), or stands for (`anchor`).

    An instruction identical to one of the input has that one as origin, even
    when rules moved it; a changed or new one has none, and is reported at its
    anchor: the input instruction it replaced, or the one it was inserted next to.
    """

    def __init__(self, original: Dockerfile) -> None:
        self.origin: list[Instruction | None] = list(original.instructions)
        self.anchor: list[Instruction | None] = list(original.instructions)

    def _index(self, ins: Instruction, df: Dockerfile) -> int | None:
        for i, cur in enumerate(df.instructions):
            if cur is ins:
                return i
        return None

    def origin_of(self, ins: Instruction, df: Dockerfile) -> Instruction | None:
        i = self._index(ins, df)
        return self.origin[i] if i is not None else None

    def anchor_of(self, ins: Instruction, df: Dockerfile) -> Instruction | None:
        i = self._index(ins, df)
        return self.anchor[i] if i is not None else None

    def carry(self, old: Dockerfile, new: Dockerfile) -> None:
        a = [i.code for i in old.instructions]
        b = [i.code for i in new.instructions]
        origin: list = [None] * len(b)
        anchor: list = [None] * len(b)
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
            for j in range(j1, j2):
                if tag == "equal":
                    origin[j] = self.origin[i1 + j - j1]
                    anchor[j] = self.anchor[i1 + j - j1]
                elif i2 > i1:
                    anchor[j] = self.anchor[min(i1 + j - j1, i2 - 1)]
                elif a:
                    anchor[j] = self.anchor[min(i1, len(a) - 1)]
        # an instruction moved whole (same text, once in each) is still itself
        counts_a = {code: a.count(code) for code in set(a)}
        for j, code in enumerate(b):
            if origin[j] is None and counts_a.get(code) == 1 and b.count(code) == 1:
                k = a.index(code)
                origin[j], anchor[j] = self.origin[k], self.anchor[k]
        self.origin, self.anchor = origin, anchor


def _change(rule: Rule, fix: Fix, df: Dockerfile, lineage: "_Lineage", original: Dockerfile, positions: _Positions, *,
            applied: bool, edits: bool = True) -> Change:
    targets = {id(e.target): e.target for e in fix.edits}
    targets.setdefault(id(fix.target), fix.target)
    mapped = {k: lineage.origin_of(t, df) for k, t in targets.items()}
    report = lineage.anchor_of(fix.target, df)
    rng = _report_range(report, positions)
    edit = None
    if edits and all(o is not None for o in mapped.values()):
        edit = _standalone_edit(fix, df, mapped, original, positions)
    return Change(rule.code, rule.title, str(fix.safety), fix.message, rng, edit, applied, path=original.path)


def _report_range(report, positions: "_Positions") -> Range:
    """Where a change is reported: the first line of the input instruction it stands for (1:1 if none)."""
    if report is None:
        return Range(1, 1, 1, 1)
    _, own, _end = positions.starts[id(report)]
    line, col = positions.position(own)
    first_line_end = positions.text.find("\n", own)
    first_line_end = len(positions.text) if first_line_end == -1 else first_line_end
    return Range(line, col, *positions.position(first_line_end))


def _file_change(rule: Rule, fix: FileFix, df: Dockerfile, lineage: "_Lineage", positions: _Positions,
                 context: BuildContext, path: str | None, *, applied: bool) -> Change:
    """A change to a second file: reported at its instruction in the input, its edit on that file."""
    report = lineage.anchor_of(fix.target, df) if fix.target is not None else None
    rng = _report_range(report, positions)
    old = fix.original or ""
    if fix.text.startswith(old):  # an addition at the end (or a new file): an insertion there
        lines = old.splitlines(keepends=True)
        at = (len(lines) + 1, 1) if not lines or lines[-1].endswith(("\n", "\r")) else (len(lines), len(lines[-1]) + 1)
        edit = TextEdit(Range(*at, *at), fix.text[len(old):])
    else:
        lines = old.splitlines(keepends=True)
        edit = TextEdit(Range(1, 1, len(lines) + 1, 1), fix.text)
    return Change(rule.code, rule.title, str(fix.safety), fix.message, rng, edit, applied,
                  path=second_file_path(context, fix.path, path))


def second_file_path(context: BuildContext, rel: str, dockerfile: str | None) -> str:
    """Where a context file is, said as the Dockerfile's path is: beside it when the context is its folder,
    else relative to the working directory when below it, else absolute."""
    import os

    where = context.root / rel
    if dockerfile is not None and os.path.isabs(dockerfile) is False:
        folder = os.path.dirname(dockerfile)
        try:
            if os.path.realpath(folder or ".") == os.path.realpath(context.root):
                return os.path.join(folder, rel) if folder else rel
        except OSError:
            pass
    relative = os.path.relpath(where)
    return str(where) if relative.startswith("..") else relative


def _standalone_edit(fix: Fix, df: Dockerfile, mapped, original: Dockerfile, positions: _Positions) -> TextEdit | None:
    """The fix alone, applied to the input: one text edit over the instructions it touches."""
    translated = []
    for e in fix.edits:
        target = mapped[id(e.target)]
        if target.own_code != e.target.own_code or target.leading != e.target.leading:
            return None  # an earlier change touched it: this fix only applies after that one
        translated.append(type(e)(target, *[getattr(e, f) for f in e.__dataclass_fields__ if f != "target"]))
    new_text = apply_edits(original, translated, positions.style)
    old = positions.text
    # the smallest span that differs, looked for between the first and the last instruction the
    # edits touch: the text around them is the same in both
    spans = [positions.starts[id(e.target)] for e in translated]
    start = min(lead for lead, _, _ in spans)
    end_old = max(end for _, _, end in spans)
    end_new = end_old + len(new_text) - len(old)
    limit = min(end_old, end_new)
    while start < limit and old[start] == new_text[start]:
        start += 1
    while end_old > start and end_new > start and old[end_old - 1] == new_text[end_new - 1]:
        end_old -= 1
        end_new -= 1
    # widen to whole lines, as editors show them best
    start = old.rfind("\n", 0, start) + 1
    nl = old.find("\n", end_old)
    grow = (len(old) if nl == -1 else nl + 1) - end_old
    end_old += grow
    end_new += grow
    return TextEdit(positions.range(start, end_old), new_text[start:end_new])


def _untouched_kept(old: Dockerfile, new: Dockerfile, edits) -> bool:
    """Every instruction no edit replaced or removed is still there, whole and in order.

    A rule's new text that ends in a dangling continuation, or opens a heredoc,
    would swallow the next instruction: this is the guard against that.
    """
    touched = {id(e.target) for e in edits if isinstance(e, (Replace, Remove))}
    # the last line may gain the newline it lacked when an instruction is added after it
    wanted = [i.own_code.rstrip("\r\n") for i in old.instructions if id(i) not in touched]
    have = iter(i.own_code.rstrip("\r\n") for i in new.instructions)
    return all(any(code == got for got in have) for code in wanted)


__all__ += ["InsertAfter", "InsertBefore", "Remove", "Replace"]
