from __future__ import annotations

import posixpath
import re

from ...syntax.edits import Replace
from ...syntax.textedit import arguments_text, edit_arguments
from ..base import Fix, Rule, Safety, Skip


class NpmCi(Rule):
    """
    ## What it does
    Replaces `npm install` (or `npm i`) without package arguments with
    `npm ci` when the build context holds a `package-lock.json` or
    `npm-shrinkwrap.json` next to the `package.json` the image receives,
    and the lockfile is copied into the image with it. Flags such as
    `--omit=dev` or `--production` are kept as written.

    ## Why
    `npm install` resolves version ranges again and may install other
    versions than the lockfile names, so two builds of the same commit can
    differ. `npm ci` installs exactly the locked tree, fails when
    `package.json` and the lockfile disagree, and is faster.

    ## Example
    ```dockerfile
    COPY package.json package-lock.json ./
    RUN npm install --omit=dev
    ```

    ## Use instead
    ```dockerfile
    COPY package.json package-lock.json ./
    RUN npm ci --omit=dev
    ```

    ## Fix safety
    Review: the image's configuration is kept, but its `node_modules` may
    now hold other (the locked) versions, `npm ci` removes a
    `node_modules` folder copied in earlier, and the build fails when the
    lockfile is out of date with `package.json`. Installs with packages,
    `-g`, `--prefix`, flags `npm ci` treats differently, inside `if`/loops,
    or where the lockfile does not reach the image are left alone.
    """

    code = "HY006"
    name = "npm-ci"
    title = "Use npm ci when a lockfile exists"
    rationale = "npm ci installs exactly what the lockfile names, so every build gets the same dependencies."
    resolves = ()
    safety = Safety.REVIEW

    def check(self, model):
        for stage in model.stages:
            for ins in stage.instructions:
                script = model.script(ins)
                if script is None:
                    continue
                words = []
                if any(c.name == "npm" and _verb(c) in _CI for c in script.commands):
                    if any(c.name == "npm" and _install_verb(c) is not None for c in script.commands):
                        yield Skip("npm install stays: the script runs npm ci too, and npm install is its fallback", ins)
                    continue
                for command in script.commands:
                    if command.name != "npm":
                        continue
                    verb = _install_verb(command)
                    if verb is None:
                        continue
                    why = _why_not(command, verb)
                    if why:
                        yield Skip(f"`{_shown(command)}` {why}", ins)
                        continue
                    words.append(command.words[verb])
                if not words:
                    continue
                why = _lockfile_missing(model, stage, ins)
                if why:
                    yield Skip(f"npm install stays: {why}", ins)
                    continue
                code = _with_ci(model, ins, words)
                if code is None:
                    yield Skip("npm install stays: the command is split over lines in a way this rule cannot edit", ins)
                    continue
                yield Fix(ins, "npm ci installs exactly what the lockfile in the build context names", Safety.REVIEW,
                          (Replace(ins, code, verbatim=True),))


# --- the command -----------------------------------------------------------------------------

_INSTALL = {"install", "i"}
_CI = {"ci", "clean-install", "ic", "install-clean", "isntall-clean"}
# flags `npm ci` reads as `npm install` does (values after `=` or as the next word)
_KEPT = {"--omit", "--include", "--production", "--only", "--ignore-scripts", "--no-audit", "--audit", "--no-fund",
         "--fund", "--loglevel", "--silent", "-s", "--quiet", "-q", "--no-progress", "--progress", "--no-optional",
         "--legacy-peer-deps", "--strict-peer-deps", "--foreground-scripts", "--unsafe-perm", "--registry",
         "--prefer-offline", "--prefer-online", "--offline", "--cache", "--verbose", "-d", "-dd", "-ddd",
         "--no-update-notifier", "--update-notifier", "--color", "--no-color", "--engine-strict", "--bin-links",
         "--no-bin-links", "--install-links", "--no-install-links", "--userconfig"}
_TAKES_VALUE = {"--omit", "--include", "--only", "--loglevel", "--registry", "--cache", "--userconfig", "--color"}


def _install_verb(command) -> int | None:
    """The index of `install`/`i` in `npm [flags] install [flags]` (the project's own install), else None.

    Installing named packages or installing globally is another job: not this rule's business.
    """
    words = command.words
    verb = None
    i = 1
    while i < len(words):
        value = words[i].value
        if value is None:
            i += 1
            continue
        if not value.startswith("-"):
            if verb is not None:
                return None  # a package
            if value not in _INSTALL:
                return None
            verb = i
            i += 1
            continue
        name = value.partition("=")[0]
        if name in ("-g", "--global") or value == "--location=global":
            return None
        i += 2 if name in _TAKES_VALUE and "=" not in value else 1
    return verb


def _verb(command) -> str | None:
    """The npm subcommand: the first word after `npm` that is no flag or flag value."""
    words = command.words
    i = 1
    while i < len(words):
        value = words[i].value
        if value is None:
            return None
        if not value.startswith("-"):
            return value
        i += 2 if value.partition("=")[0] in _TAKES_VALUE and "=" not in value else 1
    return None


def _why_not(command, verb: int) -> str | None:
    """Why this `npm install` may not become `npm ci`; None when it may."""
    if command.nested:
        return "is inside a condition, loop or substitution: a lockfile check there is the script's own"
    words = command.words
    i = 1
    while i < len(words):
        if i == verb:
            i += 1
            continue
        value = words[i].value
        if value is None:
            return f"has an argument that depends on a variable ({words[i].text})"
        name = value.partition("=")[0]
        if name not in _KEPT:
            return f"has the flag {name}, which npm ci does not treat as npm install does"
        if name == "--only":
            only = value.partition("=")[2] if "=" in value else (words[i + 1].value if i + 1 < len(words) else None)
            if only not in ("prod", "production"):
                return f"has the flag --only={only}, which npm ci does not treat as npm install does"
        if name in _TAKES_VALUE and "=" not in value:
            i += 1
        i += 1
    return None


def _shown(command) -> str:
    return " ".join(w.text for w in command.words)


def _with_ci(model, ins, words) -> str | None:
    """The RUN's own code with each `install` word spelled `ci`, its layout kept."""
    text = ins.arguments[0]
    if arguments_text(ins) != text:
        return None
    code = edit_arguments(ins, [(w.start, w.end, "ci") for w in words])
    expected = text
    for w in sorted(words, key=lambda w: w.start, reverse=True):
        expected = expected[: w.start] + "ci" + expected[w.end:]
    new = model.reparsed(ins, code)
    if new is None or new.keyword != "RUN" or new.arguments[:1] != (expected,):
        return None
    return code



# --- the lockfile ----------------------------------------------------------------------------

_LOCKFILES = ("package-lock.json", "npm-shrinkwrap.json")


def _lockfile_missing(model, stage, ins) -> str | None:
    """Why the image would have no lockfile next to package.json at this RUN; None when it has one."""
    context = model.context
    if not context.known:
        return "there is no build context to look for a lockfile in"
    script = model.script(ins)
    first_npm = min(c.start for c in script.commands if c.name == "npm")
    if any(c.name in ("cd", "pushd") and c.start < first_npm for c in script.commands):
        return "the script changes folder with cd, so this rule cannot tell which package.json npm reads"
    copies, here = _copies_before(model, stage, ins)
    for copy, workdir in reversed(copies):
        found = _package_json_from(context, copy)
        if found is None:
            continue
        folder, source = found
        target = _destination(copy, source, workdir)
        if target is not None and here is not None and target != here:
            return f"npm runs in {_shown_dir(here)}, not in {_shown_dir(target)} where package.json was copied"
        lockfiles = [posixpath.join(folder, name) if folder else name for name in _LOCKFILES]
        present = [f for f in lockfiles if context.exists(f)]
        if not present:
            return f"the build context (as .dockerignore leaves it) has no {' or '.join(lockfiles)}"
        for other, other_workdir in copies:
            for f in present:
                source = _delivering_source(context, other, f)
                if source is None:
                    continue
                there = _destination(other, source, other_workdir)
                if other is copy or target is None or there is None or there == target:
                    return None
        return f"{present[0]} is in the build context but not copied into the image next to package.json"
    if any(context.exists(name) for name in _LOCKFILES):
        if any(_unknown_sources(c) for c, _ in copies) or _mounts_context(ins):
            return None  # package.json comes from a path this rule cannot read: the context root decides
    return "package.json is not copied from the build context before npm runs"


def _copies_before(model, stage, ins):
    """(COPY/ADD from the context, the WORKDIR it ran in) before `ins`, and the WORKDIR `ins` runs in.

    WORKDIRs are absolute paths; one relative to the base image's own WORKDIR starts with
    `_BASE`, and None means a variable made it unknown.
    """
    copies = []
    workdir: str | None = _BASE
    for s in model.stage_chain(stage):
        if not model.base_is_stage(s):
            workdir = "/" if s.base_name.lower() == "scratch" else _BASE
        for other in s.instructions:
            if other is ins:
                return copies, workdir
            if other.keyword == "WORKDIR" and other.arguments:
                path = other.arguments[0]
                if "$" in path or workdir is None and not path.startswith("/"):
                    workdir = None
                else:
                    workdir = _join(workdir or "/", path)
            elif other.keyword in ("COPY", "ADD") and other.flag("from") is None:
                copies.append((other, workdir))
    return copies, workdir


_BASE = "/\x00base"  # the base image's WORKDIR, unknown here


def _join(base: str, path: str) -> str:
    joined = posixpath.normpath(posixpath.join(base, path))
    return "/" + joined.lstrip("/")


def _shown_dir(path: str) -> str:
    if path.startswith(_BASE):
        rest = path[len(_BASE):].lstrip("/")
        return f"the base image's WORKDIR/{rest}" if rest else "the base image's WORKDIR"
    return path


def _destination(copy, source: str, workdir: str | None) -> str | None:
    """The folder in the image where the COPY puts what `source` names; None when unknown."""
    dest = copy.arguments[-1]
    if "$" in dest or workdir is None and not dest.startswith("/"):
        return None
    if posixpath.basename(dest.rstrip("/")) in ("package.json", *_LOCKFILES) and not dest.endswith("/"):
        dest = posixpath.dirname(dest) or "."
    return _join(workdir or "/", dest)



def _sources(copy) -> list[str]:
    args = list(copy.arguments)
    return [a for a in args[:-1] if not a.startswith("<<")]


def _clean(path: str) -> str:
    path = posixpath.normpath("/" + path).lstrip("/")
    return "" if path == "." else path


def _is_glob(path: str) -> bool:
    return any(ch in path for ch in "*?[")


def _unknown_sources(copy) -> bool:
    return any("$" in s for s in _sources(copy))


def _package_json_from(context, copy) -> tuple[str, str] | None:
    """(the context folder whose package.json this COPY brings in, the source naming it), or None."""
    for source in _sources(copy):
        if "$" in source:
            continue
        path = _clean(source)
        folder, base = posixpath.split(path)
        if _is_glob(base) and not _is_glob(folder) and _match(base, "package.json"):
            if context.exists(posixpath.join(folder, "package.json") if folder else "package.json"):
                return folder, source
        elif base == "package.json" and context.exists(path):
            return folder, source
        elif not _is_glob(path) and _is_dir(context, path):
            if context.exists(posixpath.join(path, "package.json") if path else "package.json"):
                return path, source
    return None


def _delivering_source(context, copy, relpath: str) -> str | None:
    """The COPY's source that brings the context file `relpath` into the image, or None."""
    for source in _sources(copy):
        if "$" in source:
            continue
        path = _clean(source)
        if path == relpath:
            return source
        folder, base = posixpath.split(path)
        if _is_glob(base) and not _is_glob(folder) and posixpath.dirname(relpath) == folder \
                and _match(base, posixpath.basename(relpath)):
            return source
        if not _is_glob(path) and _is_dir(context, path) and (path == "" or relpath.startswith(path + "/")):
            return source
    return None


def _is_dir(context, path: str) -> bool:
    if path == "":
        return True
    return context.exists(path) and (context.root / path).is_dir()


def _match(pattern: str, name: str) -> bool:
    rx = re.escape(pattern).replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
    rx = re.sub(r"\\\[(.*?)\\\]", lambda m: "[" + m.group(1).replace("\\", "").replace("!", "^", 1) + "]", rx)
    return re.fullmatch(rx, name) is not None


def _mounts_context(ins) -> bool:
    """A `--mount=type=bind` of the build context (no `from=`) on this RUN."""
    for flag in ins.flags:
        if flag.name == "mount" and flag.value and "type=bind" in flag.value and "from=" not in flag.value:
            return True
    return False
