from __future__ import annotations

import re

from ..base import FileFix, Rule, Safety, Skip
from .builds import Build, Entry, builds_of, data, entries, own_ignore_files, recreating_run, stage_copy_before, walk


class ProposeDockerignore(Rule):
    """
    ## What it does
    Where the build context has no `.dockerignore` (nor a `<Dockerfile>.dockerignore`), proposes one
    at the context's root: `.git`, dependency folders the build recreates (`node_modules`, virtual
    environments, Composer's `vendor/`), build output it writes again (`target/`, `build/`, `dist/`),
    caches (`__pycache__`, `.pytest_cache`, `.gradle`), `.env` and key files, and editor and OS files.
    A line is proposed on evidence that the path is there where people build: it is in the context,
    the context's `.gitignore` names it, or the build recreates it. One file serves every Dockerfile
    that uses the context (those in its root folder, and those a compose file there builds with it).

    ## Why
    Everything the context holds is sent to the builder on every build. A `COPY . .` then puts the
    host's `node_modules` or virtual environment over the one the build installed (built for another
    system), ships `.git` and `.env` files into the image, and changes the layer on every commit, so
    the layers after it are never reused.

    ## Example
    ```dockerfile
    COPY package.json package-lock.json ./
    RUN npm ci
    COPY . .
    ```
    (and no `.dockerignore`)

    ## Use instead
    A new `.dockerignore`:
    ```
    .git
    node_modules
    ```

    ## Fix safety
    Review: the image's configuration is kept, but what `COPY . .` copies changes. A line never
    excludes a path a `COPY`, `ADD` or bind mount of any Dockerfile of the context names (globs and
    folders included, checked with the same matcher the tool reads `.dockerignore` with); a
    dependency or output folder that a `COPY` sends whole is excluded only where the stage that
    receives it recreates it, and one the repository tracks (present, not in `.gitignore`) is left
    alone. `.git` stays when the build reads it (setuptools-scm, `git describe`, a `git` command in
    a `RUN`); `.env` and key files stay when the program or the build reads them, and the message
    says that a secret ships in the image. A program that reads an excluded file in a way the tool
    cannot see (a computed path) would miss it.
    """

    code = "CX001"
    name = "propose-dockerignore"
    title = "Propose a .dockerignore for the build context"
    rationale = "A .dockerignore keeps .git, secrets and host dependency folders out of the context and the image."
    safety = Safety.REVIEW

    def check(self, model):
        ctx = model.context
        if not ctx.known or not model.df.instructions or own_ignore_files(model):
            return
        builds, problem = builds_of(model)
        if problem:
            yield Skip(problem)
            return
        unknown = next((b.unknown for b in builds if b.unknown), None)
        if unknown:
            yield Skip(f"{unknown}: what the build copies is not known, so no .dockerignore is proposed")
            return
        lines, kept = _lines(model, builds)
        if not lines:
            if kept:
                yield Skip("no .dockerignore proposed: " + "; ".join(kept))
            return
        text = "".join(f"{line}\n" for line, _ in lines)
        shown = ", ".join(line for line, _ in lines[:6]) + (f" and {len(lines) - 6} more" if len(lines) > 6 else "")
        why = [w for _, w in lines if w]
        message = f"a new .dockerignore keeps {shown} out of the build context"
        if why:
            message += f" ({'; '.join(dict.fromkeys(why))})"
        if kept:
            message += "; " + "; ".join(kept)
        yield FileFix(_report_at(model), message, Safety.REVIEW, ".dockerignore", text)


def _report_at(model):
    """The `COPY .` that sends the whole context, else the first local COPY or ADD, else the first line."""
    local = [i for i in model.df.instructions if i.keyword in ("COPY", "ADD") and i.flag("from") is None
             and not i.heredocs]
    whole = next((i for i in local if any(a.strip("./") == "" for a in i.arguments[:-1])), None)
    return whole or (local[0] if local else model.df.instructions[0])


def _lines(model, builds: list[Build]) -> tuple[list[tuple[str, str]], list[str]]:
    """(line, why) for each line to propose, and the notes on what was kept in although it could go."""
    ctx = model.context
    listing = walk(ctx.root)
    gitignored = _gitignored(ctx)
    out: list[tuple[str, str]] = []
    kept: list[str] = []
    for entry in entries():
        if entry.requires and not ctx.exists(entry.requires) or entry.unless and ctx.exists(entry.unless):
            continue
        present = entry.present_counts and _present(entry, listing)
        ignored_in_git = any(p in gitignored for p in (entry.line, entry.line.removeprefix("**/"), *entry.paths))
        if entry.kind == "vcs" and not present:
            present = ctx.exists(".gitignore") or ctx.exists(".gitattributes")
        named = _named(entry, builds)
        if named:
            if present or ignored_in_git:
                kept.append(f"{entry.line} stays: {named}")
            continue
        covering = [(b, s) for b in builds for s in b.sources if _covers(s, entry)]
        why = ""
        if entry.kind in ("dependencies", "output"):
            runs = []
            for b, s in covering:
                run = recreating_run(b.model, s, entry.recreated) if entry.recreated else None
                if run is None:
                    run = stage_copy_before(s, entry.paths)
                if run is None:
                    break
                runs.append((b, s, run))
            recreated = bool(covering) and len(runs) == len(covering)
            if present and not ignored_in_git:
                continue  # the repository holds it: part of the source, whatever its name
            if not (ignored_in_git or recreated):
                continue
            if covering and not recreated:
                continue  # the image may need the host's copy
            if runs:
                b, s, run = runs[0]
                why = f"{b.where(s.instruction)} would copy the host's {entry.line} into the image, " \
                      f"where {b.where(run)} {'places' if run.keyword == 'COPY' else 'installs' if entry.kind == 'dependencies' else 'makes'} the build's own"
        elif not (present or ignored_in_git):
            continue
        elif entry.kind == "vcs" and covering:
            reader = _reads_git(ctx, builds)
            if reader:
                kept.append(f".git stays: {reader} reads it")
                continue
        elif entry.kind == "secret" and covering and present and not ignored_in_git:
            b, s = covering[0]
            kept.append(f"{entry.line} stays, as the repository holds it and {b.where(s.instruction)} copies it: "
                        f"a secret ships in the image")
            continue
        elif entry.kind == "secret" and covering:
            reader = _reads_secret(ctx, builds, entry)
            if reader:
                kept.append(f"{entry.line} stays, as {reader} reads it: a secret ships in the image")
                continue
        if not _guard(entry, builds, ctx, listing):
            continue
        out.append((entry.line, why))
    return out, kept


def _present(entry: Entry, listing: list[str]) -> bool:
    import fnmatch

    for rel in listing:
        name = rel.rsplit("/", 1)[-1]
        if not entry.anywhere and "/" in rel:
            continue
        if any(fnmatch.fnmatchcase(name, p) for p in entry.paths):
            return True
    return False


def _gitignored(ctx) -> set[str]:
    text = ctx.read_text(".gitignore") if ctx.exists(".gitignore") else None
    out = set()
    for line in (text or "").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "!")):
            continue
        out.add(line.strip("/").removeprefix("**/").rstrip("/"))
    return out


def _named(entry: Entry, builds: list[Build]) -> str | None:
    """Where a source names a path the line would exclude."""
    rules = entry.rules
    for b in builds:
        for s in b.sources:
            if s.clean != "." and rules.excludes(s.clean):
                return f"{b.where(s.instruction)} copies {s.clean}"
    return None


def _covers(source, entry: Entry) -> bool:
    """The source sends what the line would exclude, being a folder above it."""
    if not source.folder:
        return False
    if entry.anywhere:
        return True
    return source.clean == "." or entry.line.startswith(source.clean + "/")


def _reads_git(ctx, builds: list[Build]) -> str | None:
    d = data()
    reads = re.compile(d["git-reads"])
    for name in d["git-readers"]:
        text = ctx.read_text(name) if ctx.exists(name) else None
        if text and reads.search(text):
            return name
    run = re.compile(d["git-run"])
    for b in builds:
        for ins in b.model.df.instructions:
            if ins.keyword == "RUN" and run.search(" ".join(ins.arguments)):
                return b.where(ins)
    return None


def _reads_secret(ctx, builds: list[Build], entry: Entry) -> str | None:
    """What reads a secret file the build copies: a dotenv library, the source, a command."""
    from ...model.program import read_program

    d = data()
    if entry.line.startswith(".env"):
        libraries = re.compile(d["dotenv-libraries"])
        for name in d["dotenv-manifests"]:
            text = ctx.read_text(name) if ctx.exists(name) else None
            if text and libraries.search(text):
                return name
        reads = re.compile(d["dotenv-reads"])
    else:
        names = [p.strip("*") for p in entry.paths]
        reads = re.compile("|".join(re.escape(n) for n in names if n) or r"(?!)")
    for b in builds:
        for ins in b.model.df.instructions:
            if ins.keyword in ("RUN", "CMD", "ENTRYPOINT", "ENV") and reads.search(" ".join(ins.arguments)):
                return b.where(ins)
        final = b.model.final_stage
        if final is None:
            continue
        program = read_program(b.model, b.model.stage_chain(final))
        for rel, text in [*program.sources, *program.configs]:
            if reads.search(text):
                return rel
        for rel in program.scripts:
            text = ctx.read_text(rel)
            if text and reads.search(text):
                return rel
    return None


def _guard(entry: Entry, builds: list[Build], ctx, listing: list[str]) -> bool:
    """The line, matched as the tool reads .dockerignore, hides nothing a source names: the last word."""
    rules = entry.rules
    for b in builds:
        for s in b.sources:
            for m in s.matches:
                if m != "." and rules.excludes(m):
                    return False
            if s.folder and s.clean != "." and entry.kind not in ("cache", "editor"):
                below = [r for r in listing if r.startswith(s.clean + "/")]
                if any(rules.excludes(r) for r in below):
                    return False
    return True
