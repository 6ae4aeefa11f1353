"""`refactor lsp` through the protocol: a real client (pytest-lsp) talking to the server over stdio.

Every edit the server offers is applied here as an editor would apply it, and the result
must equal what the command line writes for the same text (`refactor -`, `--safe-only`).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls")
pytest_lsp = pytest.importorskip("pytest_lsp")

from lsprotocol import types as t  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient  # noqa: E402

from refactor.rules import explain_text  # noqa: E402
from refactor.rules import rule_by_code  # noqa: E402

APPS = Path(__file__).resolve().parents[1] / "corpus" / "apps"
REFACTOR = [sys.executable, "-m", "refactor"]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A copy of a corpus application: the Dockerfile with the build context it reasons about."""
    shutil.copytree(APPS / "python-uv", tmp_path / "app", ignore=shutil.ignore_patterns("expected", "case.toml"))
    # the legacy builder: these tests take pip's --no-cache-dir (HY005) as their safe fix, which a BuildKit
    # cache mount (BK001) would replace; the server reads the setting as the command line does
    (tmp_path / "app" / ".refactor.toml").write_text("buildkit = false\n")
    return tmp_path / "app"


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[*REFACTOR, "lsp"]))
async def client(lsp_client: LanguageClient, tmp_path: Path):
    lsp_client.init_result = await lsp_client.initialize_session(t.InitializeParams(
        capabilities=t.ClientCapabilities(), root_uri=tmp_path.as_uri(),
        workspace_folders=[t.WorkspaceFolder(uri=tmp_path.as_uri(), name="ws")]))
    yield
    await lsp_client.shutdown_session()


def cli(text: str, path: Path, *extra: str) -> str:
    done = subprocess.run([*REFACTOR, "-", "--stdin-filename", str(path), *extra], input=text,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def offset(text: str, pos: t.Position) -> int:
    """An LSP position (UTF-16 code units) as an index into `text`."""
    lines = text.splitlines(keepends=True)
    if pos.line >= len(lines):
        return len(text)
    start = sum(len(x) for x in lines[: pos.line])
    line, units, i = lines[pos.line], 0, 0
    while i < len(line) and units < pos.character:
        units += 2 if ord(line[i]) > 0xFFFF else 1
        i += 1
    return start + i


def apply(text: str, edit: t.WorkspaceEdit, version: int | None = None) -> str:
    assert edit.document_changes, "edits name the document version they were computed for"
    for change in edit.document_changes:
        if version is not None:
            assert change.text_document.version == version
        for e in sorted(change.edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
            text = text[: offset(text, e.range.start)] + e.new_text + text[offset(text, e.range.end):]
    return text


async def open_doc(client: LanguageClient, path: Path, text: str | None = None, version: int = 1) -> str:
    text = path.read_text() if text is None else text
    client.text_document_did_open(t.DidOpenTextDocumentParams(
        t.TextDocumentItem(uri=path.as_uri(), language_id="dockerfile", version=version, text=text)))
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return path.as_uri()


async def formatted_text(client: LanguageClient, path: Path) -> str:
    """Open the file, ask the server to format it, and apply the edits it returns."""
    text = path.read_text()
    uri = await open_doc(client, path)
    edits = await client.text_document_formatting_async(t.DocumentFormattingParams(
        text_document=t.TextDocumentIdentifier(uri), options=t.FormattingOptions(tab_size=4, insert_spaces=True)))
    return apply(text, t.WorkspaceEdit(document_changes=[t.TextDocumentEdit(
        text_document=t.OptionalVersionedTextDocumentIdentifier(uri=uri, version=1), edits=edits)]))


async def actions(client: LanguageClient, uri: str, rng: t.Range | None = None, only=None) -> list[t.CodeAction]:
    rng = rng or t.Range(t.Position(0, 0), t.Position(1000, 0))
    got = await client.text_document_code_action_async(t.CodeActionParams(
        text_document=t.TextDocumentIdentifier(uri), range=rng,
        context=t.CodeActionContext(diagnostics=list(client.diagnostics.get(uri, [])), only=only)))
    return got or []


async def test_initialize_advertises_incremental_sync_actions_formatting_and_hover(client) -> None:
    caps = client.init_result.capabilities
    sync = caps.text_document_sync
    assert getattr(sync, "change", sync) == t.TextDocumentSyncKind.Incremental
    assert caps.code_action_provider and caps.document_formatting_provider and caps.hover_provider


async def test_open_gives_one_diagnostic_per_change_with_code_link_and_severity(client, workspace) -> None:
    uri = await open_doc(client, workspace / "Dockerfile")
    diags = client.diagnostics[uri]
    codes = sorted(d.code for d in diags)
    assert codes == ["CO001", "CX001", "HC001", "HY005", "MS002", "US001"]
    by_code = {d.code: d for d in diags}
    assert by_code["HY005"].severity == t.DiagnosticSeverity.Warning  # safe
    assert by_code["MS002"].severity == t.DiagnosticSeverity.Information  # review
    assert by_code["HY005"].range.start == t.Position(1, 0)
    doc = Path(by_code["HY005"].code_description.href.removeprefix("file://"))
    assert doc.read_text().startswith(explain_text(rule_by_code("HY005")))
    assert all(d.source == "refactor" for d in diags)


async def test_unsafe_suggestions_are_hints(client, tmp_path) -> None:
    path = tmp_path / "Dockerfile"
    text = 'FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl\nCMD ["curl", "--version"]\n'
    path.write_text(text)
    uri = await open_doc(client, path)
    hints = [d for d in client.diagnostics[uri] if d.severity == t.DiagnosticSeverity.Hint]
    assert [d.code for d in hints] == ["HY002"] and "unsafe" in hints[0].message
    unsafe = [a for a in await actions(client, uri) if a.kind == "source.fixAll.refactor.unsafe"]
    assert len(unsafe) == 1 and "unsafe" in unsafe[0].title
    assert apply(text, unsafe[0].edit, version=1) == cli(text, path, "--unsafe-fixes")


async def test_all_safe_and_review_fixes_equal_the_command_line(client, workspace) -> None:
    path = workspace / "Dockerfile"
    text = path.read_text()
    uri = await open_doc(client, path)
    found = {a.kind: a for a in await actions(client, uri)}
    assert apply(text, found["source.fixAll.refactor.review"].edit, version=1) == cli(text, path)
    assert apply(text, found["source.fixAll.refactor"].edit, version=1) == cli(text, path, "--safe-only")
    assert found["source.fixAll.refactor.review"].title == "Apply all safe and review fixes"


async def test_a_quick_fix_applies_exactly_its_own_change(client, workspace) -> None:
    path = workspace / "Dockerfile"
    text = path.read_text()
    uri = await open_doc(client, path)
    hy005 = next(d for d in client.diagnostics[uri] if d.code == "HY005")
    quick = [a for a in await actions(client, uri, hy005.range, only=[t.CodeActionKind.QuickFix])
             if a.title.startswith("Apply HY005")]
    assert len(quick) == 1 and quick[0].diagnostics[0].code == "HY005"
    assert apply(text, quick[0].edit, version=1) == cli(text, path, "--select", "HY005")


async def test_the_split_is_one_action_whose_edit_is_the_whole_rewrite(client, workspace) -> None:
    path = workspace / "Dockerfile"
    text = path.read_text()
    uri = await open_doc(client, path)
    ms = next(d for d in client.diagnostics[uri] if d.code == "MS002")
    split = [a for a in await actions(client, uri, ms.range) if a.title.startswith("Apply MS002")]
    assert len(split) == 1
    assert apply(text, split[0].edit) == cli(text, path, "--select", "MS002")


async def test_formatting_applies_safe_fixes_only(client, workspace) -> None:
    path = workspace / "Dockerfile"
    text = path.read_text()
    formatted = await formatted_text(client, path)
    assert formatted == cli(text, path, "--safe-only")
    assert "AS build" not in formatted  # saving never restructures the file


async def test_hover_on_a_diagnostic_shows_the_rule_documentation(client, workspace) -> None:
    uri = await open_doc(client, workspace / "Dockerfile")
    hy005 = next(d for d in client.diagnostics[uri] if d.code == "HY005")
    hover = await client.text_document_hover_async(t.HoverParams(
        text_document=t.TextDocumentIdentifier(uri), position=hy005.range.start))
    assert hover.contents.value == explain_text(rule_by_code("HY005"))
    assert "What it does" in hover.contents.value


async def test_a_parse_error_is_one_error_diagnostic_not_a_crash(client, tmp_path) -> None:
    path = tmp_path / "Dockerfile"
    uri = await open_doc(client, path, "FROM python:3.12\nFORM x\nRUN pip install flask\n")
    diags = client.diagnostics[uri]
    assert len(diags) == 1
    assert diags[0].severity == t.DiagnosticSeverity.Error and "FORM" in diags[0].message
    assert diags[0].range.start == t.Position(1, 0)
    assert await actions(client, uri) == []
    # typing on: the fixed text is analysed as usual
    client.text_document_did_change(t.DidChangeTextDocumentParams(
        text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[t.TextDocumentContentChangePartial(
            range=t.Range(t.Position(1, 0), t.Position(1, 4)), text="FROM")]))
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert all(d.severity != t.DiagnosticSeverity.Error for d in client.diagnostics[uri])


async def test_a_change_after_a_change_is_followed_and_actions_name_the_new_version(client, workspace) -> None:
    path = workspace / "Dockerfile"
    text = path.read_text()
    uri = await open_doc(client, path)
    edits = [  # two incremental edits: add a line, then change the EXPOSE port
        (2, t.Range(t.Position(1, 0), t.Position(1, 0)), "RUN apt-get update\n"),
        (3, t.Range(t.Position(6, 7), t.Position(6, 11)), "9090"),
    ]
    for version, rng, new in edits:
        client.text_document_did_change(t.DidChangeTextDocumentParams(
            text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[t.TextDocumentContentChangePartial(range=rng, text=new)]))
        await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        lines = text.splitlines(keepends=True)
        start = sum(len(x) for x in lines[: rng.start.line]) + rng.start.character
        end = sum(len(x) for x in lines[: rng.end.line]) + rng.end.character
        text = text[:start] + new + text[end:]
    assert "EXPOSE 9090" in text and "RUN apt-get update" in text
    review = next(a for a in await actions(client, uri) if a.kind == "source.fixAll.refactor.review")
    assert apply(text, review.edit, version=3) == cli(text, path)
    # version 1 had a health check on 8080; server.py still reads 8080, so EXPOSE 9090 disagrees: none now
    assert not any(d.code == "HC001" for d in client.diagnostics[uri])


async def test_the_workspace_configuration_is_honoured(client, workspace) -> None:
    (workspace / ".refactor.toml").write_text('ignore = ["HY", "MS"]\n')
    uri = await open_doc(client, workspace / "Dockerfile")
    codes = {d.code for d in client.diagnostics[uri]}
    assert codes and not {c for c in codes if c.startswith(("HY", "MS"))}


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[*REFACTOR, "lsp"]))
async def review_formatter(lsp_client: LanguageClient):
    await lsp_client.initialize_session(t.InitializeParams(capabilities=t.ClientCapabilities(),
                                                           initialization_options={"formatLevel": "review"}))
    yield
    await lsp_client.shutdown_session()


async def test_formatting_level_can_be_configured(review_formatter, workspace) -> None:
    path = workspace / "Dockerfile"
    assert await formatted_text(review_formatter, path) == cli(path.read_text(), path)


def test_lsp_without_the_extra_says_how_to_install_it(monkeypatch, capsys) -> None:
    import builtins

    from refactor.lsp import main

    real = builtins.__import__

    def no_pygls(name, *args, **kwargs):
        if name.startswith(("pygls", "lsprotocol")):
            raise ImportError(f"No module named {name!r}")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pygls)
    assert main([]) == 2
    assert "pip install 'dockerfile-refactor[lsp]'" in capsys.readouterr().err


async def test_a_configuration_edited_while_the_server_runs_applies_on_save(client, workspace) -> None:
    uri = await open_doc(client, workspace / "Dockerfile")
    assert "MS002" in {d.code for d in client.diagnostics[uri]}
    (workspace / ".refactor.toml").write_text('select = ["HY"]\n')
    client.text_document_did_save(t.DidSaveTextDocumentParams(text_document=t.TextDocumentIdentifier(uri)))
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert {d.code for d in client.diagnostics[uri]} == {"HY005"}


async def test_a_broken_configuration_is_one_error_naming_it(client, workspace) -> None:
    (workspace / ".refactor.toml").write_text("select = [HY\n")
    uri = await open_doc(client, workspace / "Dockerfile")
    diags = client.diagnostics[uri]
    assert len(diags) == 1 and diags[0].severity == t.DiagnosticSeverity.Error
    assert ".refactor.toml" in diags[0].message
    assert await actions(client, uri) == []


async def test_an_unsaved_buffer_without_a_folder_is_analysed(client) -> None:
    uri = "untitled:Untitled-1"
    text = (APPS / "node-npm-build" / "Dockerfile").read_text()
    client.text_document_did_open(t.DidOpenTextDocumentParams(
        t.TextDocumentItem(uri=uri, language_id="dockerfile", version=1, text=text)))
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    codes = {d.code for d in client.diagnostics[uri]}
    assert "MS001" in codes and not any(d.severity == t.DiagnosticSeverity.Error for d in client.diagnostics[uri])


async def test_a_proposed_dockerignore_is_a_code_action_that_creates_the_file(client, tmp_path) -> None:
    path = tmp_path / "Dockerfile"
    text = 'FROM node:20-slim\nWORKDIR /app\nCOPY package.json ./\nRUN npm install\nCOPY . .\nCMD ["node", "index.js"]\n'
    path.write_text(text)
    (tmp_path / "package.json").write_text('{"name": "x"}\n')
    (tmp_path / ".gitignore").write_text("node_modules\n")
    uri = await open_doc(client, path)
    cx = next(d for d in client.diagnostics[uri] if d.code == "CX001")
    assert cx.range.start == t.Position(4, 0)  # at the COPY . . that sends the context
    (action,) = [a for a in await actions(client, uri, cx.range, only=[t.CodeActionKind.QuickFix])
                 if a.title.startswith("Apply CX001")]
    create, edit = action.edit.document_changes
    ignore_uri = (tmp_path / ".dockerignore").as_uri()
    assert isinstance(create, t.CreateFile) and create.uri == ignore_uri and not create.options.overwrite
    assert edit.text_document.uri == ignore_uri
    assert apply("", t.WorkspaceEdit(document_changes=[edit])) == ".git\nnode_modules\n"
