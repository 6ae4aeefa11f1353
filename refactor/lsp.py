"""`refactor lsp`: the language server, over stdio (pygls, with lsprotocol's types).

- Diagnostics on open, on every change and on save: one per change the engine would make
  at the configured level, with the rule code (linked to its documentation), the message,
  and the safety as severity (safe: warning, review: information, unsafe: hint); the
  changes the level holds back are shown too, as information or hints. A file that does
  not parse gives one error at the parser's line and column.
- Code actions: a quick fix per change ("Apply HY007: …") with the exact edit the command
  line makes (a stage split, whose edits only apply together, is one action whose edit is
  the whole rewrite); source actions "Apply all safe fixes", "Apply all safe and review
  fixes" and, labelled apart, the unsafe ones.
- Formatting applies safe fixes only (saving must never restructure a file), unless the
  client's initialization options say `{"formatLevel": "review"}` (or "unsafe").
- Hover on a change shows the rule's documentation, the text of `refactor explain`.

The document is the server's own copy, kept in step by incremental sync; every edit names
the version it was computed for, so a client drops an action that typing has overtaken.
Configuration (`[tool.refactor]` in pyproject.toml, `.refactor.toml`) and the build context
are found from the document's directory, as for `refactor - --stdin-filename PATH`.
"""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__

LEVELS = ("safe", "review", "unsafe")
KIND_SAFE = "source.fixAll.refactor"
KIND_REVIEW = "source.fixAll.refactor.review"
KIND_UNSAFE = "source.fixAll.refactor.unsafe"
DEBOUNCE_SECONDS = 0.0  # yield once: changes already received are taken together


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print("usage: refactor lsp\n\nThe language server of refactor, over standard input and output.")
        return 0
    if argv:
        print(f"refactor lsp: unexpected argument {argv[0]!r} (the server speaks over stdio)", file=sys.stderr)
        return 2
    try:
        server = build_server()
    except ImportError as e:
        print(f"refactor lsp needs the lsp extra: pip install 'dockerfile-refactor[lsp]' ({e})", file=sys.stderr)
        return 2
    server.start_io()
    return 0


# --- what the engine says of one version of a document -------------------------------------------


@dataclass
class Analysis:
    """The engine's answer for one text, with the rewrites at each level computed on demand."""

    text: str
    path: str | None
    level: str
    result: object | None = None  # engine Result at `level`
    error: object | None = None  # ParseError
    config_error: str | None = None  # a configuration file that cannot be read: nothing is offered
    failure: str | None = None  # a bug of ours: the traceback, logged; nothing is offered
    _texts: dict = field(default_factory=dict)

    @classmethod
    def of(cls, text: str, path: str | None, level: str | None = None) -> "Analysis":
        import traceback

        from .config import ConfigError
        from .syntax import ParseError

        try:
            config = _config(path)
        except ConfigError as e:
            return cls(text, path, level or "review", config_error=str(e))
        level = level or (config.level or "review")
        analysis = cls(text, path, level)
        try:
            analysis.result = _refactor(text, path, level, config, edits=False)
        except ParseError as e:
            analysis.error = e
        except Exception:  # half-typed text must never take the server down
            analysis.failure = traceback.format_exc()
        return analysis

    @property
    def usable(self) -> bool:
        return self.result is not None

    @property
    def changes(self) -> list:
        """Applied changes, then the ones the level holds back (without their edits)."""
        if self.result is None:
            return []
        return list(self.result.changes) + list(self.result.suggestions)

    def changes_with_edits(self) -> list:
        """The same changes, each with the edit that applies it alone (for code actions)."""
        if "edited" not in self._texts:
            result = _refactor(self.text, self.path, self.level, _config(self.path))
            self._texts["edited"] = list(result.changes) + list(result.suggestions)
        return self._texts["edited"]

    def rewritten(self, level: str, select: list[str] | None = None) -> str:
        """The whole text with the fixes of `level` (and `select`, if given) applied."""
        key = (level, tuple(select or ()))
        if key not in self._texts:
            if not self.usable:
                self._texts[key] = self.text
            else:
                self._texts[key] = _refactor(self.text, self.path, level, _config(self.path), select=select).code
        return self._texts[key]


def _config(path: str | None):
    """The configuration for the document's folder, read afresh: the user edits it while the
    server runs (the command line's per-folder cache serves one run)."""
    from .config import _load_from, load_config

    _load_from.cache_clear()
    return load_config(Path(path).parent if path else Path.cwd())


def _refactor(text: str, path: str | None, level: str, config, select: list[str] | None = None, edits: bool = True):
    """The engine with the document's configuration; a result that fails the safety net
    (does not parse, or changes the image's configuration) counts as no change."""
    from .engine.engine import Result, refactor
    from .model import Options
    from .runner import safety_net

    options = Options(pin_table=config.pin_table_path, pin_date=config.pin_date, target=config.target,
                      user_id=config.user_id, buildkit=config.buildkit,
                      syntax_directive=config.syntax_directive, standalone_edits=edits)
    result = refactor(
        text,
        path=path,
        context=str(Path(path).parent) if path and Path(path).parent.is_dir() else None,
        select=select if select is not None else config.select,
        ignore=list(config.ignore),
        level=level,
        options=options,
    )
    if safety_net(result, options.target):
        return Result(text, text, path=path)
    return result


# --- the server ----------------------------------------------------------------------------------


def build_server():
    from lsprotocol import types as t
    from pygls.lsp.server import LanguageServer

    server = LanguageServer("refactor", __version__, text_document_sync_kind=t.TextDocumentSyncKind.Incremental)
    state = {"format_level": "safe", "analyses": {}}

    def analysis(uri: str) -> tuple[object, Analysis]:
        doc = server.workspace.get_text_document(uri)
        cached = state["analyses"].get(uri)
        if cached is not None and cached[0] == doc.version and cached[1].text == doc.source:
            return doc, cached[1]
        found = Analysis.of(doc.source, _path_of(doc))
        state["analyses"][uri] = (doc.version, found)
        return doc, found

    def publish(uri: str) -> None:
        doc, found = analysis(uri)
        if found.failure:
            server.window_log_message(t.LogMessageParams(t.MessageType.Error,
                                                         f"refactor: internal error on {uri}\n{found.failure}"))
        server.text_document_publish_diagnostics(
            t.PublishDiagnosticsParams(uri=uri, version=doc.version, diagnostics=_diagnostics(t, doc, found)))

    @server.feature(t.INITIALIZE)
    def initialize(params: t.InitializeParams) -> None:
        options = params.initialization_options or {}
        level = options.get("formatLevel") if isinstance(options, dict) else None
        if level in LEVELS:
            state["format_level"] = level

    @server.feature(t.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: t.DidOpenTextDocumentParams) -> None:
        publish(params.text_document.uri)

    @server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(params: t.DidChangeTextDocumentParams) -> None:
        # typing sends a change per keystroke: wait a moment, and leave this version to the
        # next change when one has come in meanwhile
        await asyncio.sleep(DEBOUNCE_SECONDS)
        doc = server.workspace.get_text_document(params.text_document.uri)
        if doc.version is not None and params.text_document.version is not None \
                and doc.version > params.text_document.version:
            return
        publish(params.text_document.uri)

    @server.feature(t.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: t.DidSaveTextDocumentParams) -> None:
        state["analyses"].pop(params.text_document.uri, None)  # the configuration may have changed
        publish(params.text_document.uri)

    @server.feature(t.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: t.DidCloseTextDocumentParams) -> None:
        state["analyses"].pop(params.text_document.uri, None)
        server.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))

    @server.feature(t.TEXT_DOCUMENT_CODE_ACTION, t.CodeActionOptions(
        code_action_kinds=[t.CodeActionKind.QuickFix, KIND_SAFE, KIND_REVIEW, KIND_UNSAFE]))
    def code_action(params: t.CodeActionParams):
        doc, found = analysis(params.text_document.uri)
        if not found.usable:
            return []
        return _actions(t, doc, found, params)

    @server.feature(t.TEXT_DOCUMENT_FORMATTING)
    def formatting(params: t.DocumentFormattingParams):
        doc, found = analysis(params.text_document.uri)
        new = found.rewritten(state["format_level"])
        return [] if new == doc.source else [_whole(t, doc, new)]

    @server.feature(t.TEXT_DOCUMENT_HOVER)
    def hover(params: t.HoverParams):
        doc, found = analysis(params.text_document.uri)
        for change in found.changes:
            rng = _range(t, doc, change.range)
            if _contains(rng, params.position):
                return t.Hover(contents=t.MarkupContent(kind=t.MarkupKind.Markdown, value=_rule_doc(change.code)),
                               range=rng)
        return None

    return server


def _path_of(doc) -> str | None:
    path = getattr(doc, "path", None)
    return path if path and str(doc.uri).startswith("file:") else None


SEVERITY = {"safe": 2, "review": 3, "unsafe": 4}  # Warning, Information, Hint


def _diagnostics(t, doc, found: Analysis) -> list:
    if found.config_error is not None:
        return [t.Diagnostic(range=t.Range(t.Position(0, 0), t.Position(0, 1)), message=found.config_error,
                             severity=t.DiagnosticSeverity.Error, source="refactor")]
    if found.failure is not None:
        return []
    if found.error is not None:
        e = found.error
        line = max(e.line - 1, 0)
        start = doc.position_codec.position_to_client_units(doc.lines, t.Position(line, max(e.column - 1, 0)))
        end = t.Position(start.line, start.character + 1)
        return [t.Diagnostic(range=t.Range(start, end), message=e.message, severity=t.DiagnosticSeverity.Error,
                             source="refactor")]
    out = []
    applied = {id(c) for c in found.result.changes}
    for change in found.changes:
        held = "" if id(change) in applied else f" [not applied at the {found.level} level]"
        href = _rule_doc_uri(change.code)
        out.append(t.Diagnostic(
            range=_range(t, doc, change.range),
            message=f"{change.message} ({change.safety}){held}",
            severity=t.DiagnosticSeverity(SEVERITY.get(change.safety, 3)),
            code=change.code,
            code_description=t.CodeDescription(href=href) if href else None,
            source="refactor",
            data={"code": change.code, "safety": change.safety},
        ))
    return out


def _actions(t, doc, found: Analysis, params) -> list:
    only = params.context.only or []

    def wanted(kind: str) -> bool:
        return not only or any(kind == k or kind.startswith(k + ".") for k in only)

    actions = []
    if wanted(t.CodeActionKind.QuickFix):
        for change in found.changes_with_edits():
            rng = _range(t, doc, change.range)
            if not _overlaps(rng, params.range):
                continue
            if change.path is not None and change.edit is not None and _path_of(doc) is not None \
                    and os.path.abspath(change.path) != os.path.abspath(_path_of(doc)):
                actions.append(t.CodeAction(  # a second file (a proposed .dockerignore): created or edited
                    title=f"Apply {change.code}: {change.message}",
                    kind=t.CodeActionKind.QuickFix,
                    diagnostics=[d for d in params.context.diagnostics
                                 if d.code == change.code and _overlaps(d.range, rng)] or None,
                    edit=_second_file_edit(t, change),
                ))
                continue
            if change.edit is not None:
                edit = t.TextEdit(range=_range(t, doc, change.edit.range), new_text=change.edit.new_text)
            else:  # a split: its edits only apply together, as the whole rewrite of that rule
                level = change.safety if change.safety in LEVELS else "review"
                new = found.rewritten(level, select=[change.code])
                if new == doc.source:
                    continue
                edit = _whole(t, doc, new)
            matching = [d for d in params.context.diagnostics
                        if d.code == change.code and _overlaps(d.range, rng)]
            unsafe = " (unsafe: may change behaviour)" if change.safety == "unsafe" else ""
            actions.append(t.CodeAction(
                title=f"Apply {change.code}: {change.message}{unsafe}",
                kind=t.CodeActionKind.QuickFix,
                diagnostics=matching or None,
                is_preferred=change.safety == "safe" or None,
                edit=_workspace_edit(t, doc, [edit]),
            ))
    for level, kind, title in (("safe", KIND_SAFE, "Apply all safe fixes"),
                               ("review", KIND_REVIEW, "Apply all safe and review fixes"),
                               ("unsafe", KIND_UNSAFE, "Apply all fixes, including unsafe ones (may change behaviour)")):
        if not wanted(kind):
            continue
        new = found.rewritten(level)
        if new != doc.source and (level == "safe" or new != found.rewritten(LEVELS[LEVELS.index(level) - 1])):
            actions.append(t.CodeAction(title=title, kind=kind, edit=_workspace_edit(t, doc, [_whole(t, doc, new)])))
    return actions


def _workspace_edit(t, doc, edits: list):
    """Edits for the version they were computed on: a client drops them once the text moved on."""
    return t.WorkspaceEdit(document_changes=[t.TextDocumentEdit(
        text_document=t.OptionalVersionedTextDocumentIdentifier(uri=doc.uri, version=doc.version), edits=edits)])


def _second_file_edit(t, change):
    """Create the file where it is new (never over one that appeared meanwhile), then insert or replace its text."""
    uri = Path(os.path.abspath(change.path)).as_uri()
    r = change.edit.range
    rng = t.Range(t.Position(r.start_line - 1, r.start_col - 1), t.Position(r.end_line - 1, r.end_col - 1))
    edits = [t.TextDocumentEdit(text_document=t.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None),
                                edits=[t.TextEdit(range=rng, new_text=change.edit.new_text)])]
    if not Path(change.path).exists():
        edits.insert(0, t.CreateFile(uri=uri, options=t.CreateFileOptions(overwrite=False, ignore_if_exists=False)))
    return t.WorkspaceEdit(document_changes=edits)


def _whole(t, doc, new: str):
    """Replace the whole document: from its start to its very end."""
    lines = doc.lines
    if not lines or lines[-1].endswith(("\n", "\r")):
        end = t.Position(len(lines), 0)
    else:
        end = doc.position_codec.position_to_client_units(lines, t.Position(len(lines) - 1, len(lines[-1])))
    return t.TextEdit(range=t.Range(t.Position(0, 0), end), new_text=new)


def _range(t, doc, r):
    """The engine's 1-based (line, column) in characters, as the client's 0-based code units."""
    codec, lines = doc.position_codec, doc.lines
    start = codec.position_to_client_units(lines, t.Position(r.start_line - 1, r.start_col - 1))
    end = codec.position_to_client_units(lines, t.Position(r.end_line - 1, r.end_col - 1))
    return t.Range(start, end)


def _contains(rng, pos) -> bool:
    return (rng.start.line, rng.start.character) <= (pos.line, pos.character) <= (rng.end.line, rng.end.character)


def _overlaps(a, b) -> bool:
    return (a.start.line, a.start.character) <= (b.end.line, b.end.character) and \
        (b.start.line, b.start.character) <= (a.end.line, a.end.character)


def _rule_doc(code: str) -> str:
    from .rules import explain_text, rule_by_code

    rule = rule_by_code(code)
    return explain_text(rule) if rule is not None else code


def _rule_doc_uri(code: str) -> str | None:
    """A file with the rule's documentation (the text of `refactor explain`), written once per
    version under the user's cache directory, so the link works offline and matches the server."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "refactor" / __version__ / "rules"
    target = base / f"{code}.md"
    try:
        if not target.is_file():
            base.mkdir(parents=True, exist_ok=True)
            target.write_text(_rule_doc(code) + "\n", encoding="utf-8")
    except OSError:
        return None
    return target.as_uri()
