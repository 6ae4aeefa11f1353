from __future__ import annotations

import posixpath
import re

from ...syntax.edits import Replace
from ..base import Fix, Rule, Safety, Skip


class AddToCopy(Rule):
    """
    ## What it does
    Replaces `ADD` with `COPY` when every source is a local file or folder
    of the build context that `ADD` copies as it is: no URL, no Git
    repository, no tar archive (by name, or by content when the file is in
    the build context). The flags `COPY` also has (`--chown`, `--chmod`,
    `--link`, `--exclude`) are kept, and so is the keyword's case.

    ## Why
    `ADD` does more than copy: it downloads URLs, clones Git repositories and
    unpacks local tar archives. For plain files `COPY` says what happens and
    cannot surprise a reader when a file later turns out to be an archive.
    hadolint reports DL3020.

    ## Example
    ```dockerfile
    ADD --chown=app:app . /srv/app
    ```

    ## Use instead
    ```dockerfile
    COPY --chown=app:app . /srv/app
    ```

    ## Fix safety
    Safe: for sources that are not archives `ADD` and `COPY` put the same
    files with the same owners and modes in the image. `ADD`s with URLs, Git
    sources, `--checksum`, `--keep-git-dir`, `--unpack` or other flags `COPY`
    lacks stay; so do `ADD`s whose source is, or through a glob or a
    variable may be, a tar archive (reported as skipped), since `ADD`
    unpacks those.
    """

    code = "HY008"
    name = "add-to-copy"
    title = "Use COPY instead of ADD for local files"
    rationale = "COPY only copies, while ADD also downloads URLs and unpacks archives, so COPY says what happens."
    resolves = ("DL3020",)
    safety = Safety.SAFE

    def check(self, model):
        for ins in model.df.instructions:
            if ins.keyword != "ADD" or not ins.arguments:
                continue
            if any(f.name not in _COPY_FLAGS for f in ins.flags):
                continue  # --checksum, --keep-git-dir, --unpack: what only ADD does
            sources = [s for s in ins.arguments[:-1] if not (s.startswith("<<") and not ins.is_exec_form)]
            if any(_is_remote(s) for s in sources):
                continue
            why = next((w for w in (_may_be_archive(model.context, s) for s in sources) if w), None)
            if why:
                yield Skip(f"ADD stays: {why}: ADD unpacks tar archives, COPY would copy them as they are", ins)
                continue
            yield Fix(ins, "COPY instead of ADD: the sources are local files that ADD copies as they are", Safety.SAFE,
                      (Replace(ins, _as_copy(ins), verbatim=True),))


_COPY_FLAGS = {"chown", "chmod", "link", "exclude"}
_REMOTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://|^git@|^github\.com/|\.git(#.*)?$", re.I)
_ARCHIVE_NAMES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".tzst",
                  ".tar.zstd", ".gz", ".bz2", ".xz", ".zst")
_ARCHIVE_MAGIC = (
    (0, b"\x1f\x8b"),  # gzip
    (0, b"BZh"),  # bzip2
    (0, b"\xfd7zXZ\x00"),  # xz
    (0, b"\x28\xb5\x2f\xfd"),  # zstd
    (257, b"ustar"),  # tar
)


def _is_remote(source: str) -> bool:
    return bool(_REMOTE.search(source))


def _may_be_archive(context, source: str) -> str | None:
    """Why ADD may unpack what `source` names; None when it copies it as it is."""
    if "$" in source:
        return f"the source {source} depends on a variable and may name an archive"
    path = _clean(source)
    if any(ch in path for ch in "*?["):
        if not context.known:
            return f"the glob {source} may match a tar archive, and there is no build context to look in"
        for match in context.glob(path):
            if _archive_file(context, match):
                return f"the glob {source} matches {match}, which may be an archive"
        return None
    if path.lower().endswith(_ARCHIVE_NAMES):
        return f"{source} is named like an archive"
    if context.known and _archive_file(context, path):
        return f"{source} starts like an archive"
    return None


def _archive_file(context, relpath: str) -> bool:
    """A file of the context that is, or may be, an archive ADD unpacks (by name or first bytes)."""
    if relpath.lower().endswith(_ARCHIVE_NAMES):
        return True
    if not context.exists(relpath):
        return False
    file = context.root / relpath
    if not file.is_file():
        return False
    try:
        with open(file, "rb") as f:
            head = f.read(512)
    except OSError:
        return True  # unreadable now, perhaps readable by the build: assume the worst
    return any(head[at:at + len(magic)] == magic for at, magic in _ARCHIVE_MAGIC)


def _clean(path: str) -> str:
    cleaned = posixpath.normpath("/" + path.replace("\\", "/")).lstrip("/")
    return "" if cleaned == "." else cleaned


def _as_copy(ins) -> str:
    """The instruction's own code with the keyword spelled COPY in its case; all else as written."""
    written = ins.keyword_text
    keyword = "COPY" if written.isupper() else "copy" if written.islower() else "Copy"
    tokens = list(ins.tokens)
    at = next(i for i, t in enumerate(tokens) if t.kind == "ADD")
    tokens[at] = tokens[at]._replace(text=keyword)
    return "".join(t.text for t in tokens) + "".join(h.code for h in ins.heredocs)
