from __future__ import annotations

import posixpath

from ...syntax.edits import InsertAfter, Replace
from ...syntax.textedit import split_arguments
from ...model.ecosystems import Install, dependency_install, tool_setup
from ..base import Fix, Rule, Safety, Skip

# commands that may run before the source is copied: they do not read it
_SOURCE_FREE = {
    "apt-get", "apt", "apk", "yum", "dnf", "microdnf", "zypper", "rm", "mkdir", "ln", "echo",
    "useradd", "groupadd", "adduser", "addgroup", "update-ca-certificates", "true", "export",
}
# commands that may follow an install in the same RUN and still belong before the source
_AFTER_INSTALL_OK = {"rm", "npm", "yarn", "pnpm", "pip", "pip3", "true"}


class ManifestsFirst(Rule):
    """
    ## What it does
    When the whole source is copied (`COPY . .`) before the dependencies are
    installed (`npm ci`, `pip install -r requirements.txt`, `poetry install`,
    `uv sync`, `go mod download`, `bundle install`, `pipenv install`,
    `dotnet restore`, …), copies only the dependency manifests first, installs,
    and copies the source after. Only manifests that exist in the build context
    (and that `.dockerignore` lets through) are named. A RUN that installs and
    then builds is cut in two at the `&&` between them; a tool that installs
    the project along with its dependencies (`poetry install`, `uv sync`) gets
    a dependencies-only step first (`--no-root`, `--no-install-project`).
    The package manager's own setup (`pip install poetry`, `poetry config …`,
    `npm i -g pnpm`) may precede the install; RUNs right after it that only drop
    development dependencies (`npm prune --omit=dev`, `yarn install
    --production`) stay before the source copy too.

    ## Why
    Docker reuses a layer only while everything before it is unchanged. With
    the source copied first, any edit to any file reinstalls every dependency;
    with the manifests first, the install layer is reused until the
    dependencies themselves change.

    ## Example
    ```dockerfile
    WORKDIR /app
    COPY . .
    RUN npm ci && npm run build
    ```

    ## Use instead
    ```dockerfile
    WORKDIR /app
    COPY package.json package-lock.json ./
    RUN npm ci
    COPY . .
    RUN npm run build
    ```

    ## Fix safety
    Review: the layers change, the final image's files and configuration do
    not. The rule declines (and says why) when an instruction between the copy
    and the install might read the source, when the install runs in another
    directory than the source was copied to, when a requirements file installs
    the project itself, and for RUNs with control flow or comment lines it
    would have to cut.
    """

    code = "CO001"
    name = "manifests-first"
    title = "Copy dependency manifests and install before copying the source"
    rationale = "With the source copied first, every code change reinstalls all dependencies; manifests first lets Docker reuse the install layer."
    resolves = ()
    safety = Safety.REVIEW

    def check(self, model):
        if not model.context.known:
            return
        for stage in model.stages:
            yield from self._stage(model, stage)

    def _stage(self, model, stage):
        instructions = stage.instructions
        workdir = "/"
        workdirs = []
        for ins in instructions:
            workdirs.append(workdir)
            if ins.keyword == "WORKDIR" and ins.arguments and "$" not in ins.arguments[0]:
                workdir = posixpath.normpath(posixpath.join(workdir, ins.arguments[0]))
        for i, copy in enumerate(instructions):
            source = _whole_source(copy, model)
            if source is None:
                continue
            src, dest = source
            dest_abs = posixpath.normpath(posixpath.join(workdirs[i], dest)) if "$" not in dest else None
            if dest_abs is None:
                continue
            found = None
            for j in range(i + 1, len(instructions)):
                ins = instructions[j]
                if ins.keyword == "RUN":
                    script = model.script(ins)
                    found = _installs(script, model, src, dest_abs, workdirs[j]) if script else None
                    if found is not None:
                        break
                if ins.keyword == "WORKDIR" and not dest.startswith("/"):
                    break  # the copy's destination would resolve elsewhere
                if ins.keyword in ("COPY", "ADD") and _whole_source(ins, model):
                    break
                if ins.keyword in ("ONBUILD", "SHELL", "USER"):
                    break
            if found is None:
                continue
            run = instructions[j]
            if isinstance(found, str):
                yield Skip(found, run)
                continue
            between = instructions[i + 1 : j]
            blocked = next((r for r in (_blocking_run(b, model) for b in between if b.keyword == "RUN") if r), None)
            if blocked:
                yield Skip(f"{blocked}; the source copy at line {copy.start_line} stays first", run)
                continue
            if _done_before(instructions[:i], found[0], model, src, dest_abs, workdirs):
                continue
            fix = self._fix(model, copy, run, between, src, dest, found, model.script(run))
            if isinstance(fix, str):
                yield Skip(fix, run)
            else:
                yield fix

    def _fix(self, model, copy, run, between, src, dest, found, script):
        installs, last_install, rest_start, first_install = found
        manifests: list[str] = []
        for inst in installs:
            for m in inst.manifests:
                if m not in manifests:
                    manifests.append(m)
        if not manifests:
            return f"the install reads no manifest found in the build context under {src or '.'}"
        if any(t.kind == "COMMENT_LINE" for t in run.tokens) and rest_start is not None:
            return "the install RUN has comment lines inside; cut it by hand"
        flags = " ".join(f.text for f in copy.flags)
        target = dest if dest.endswith("/") else dest + "/"
        # one COPY per folder, so that each manifest lands where the source copy would put it
        by_folder: dict[str, list[str]] = {}
        for m in manifests:
            by_folder.setdefault(posixpath.dirname(m), []).append(m)
        copies = []
        for folder, files in by_folder.items():
            into = target if not folder else f"{target}{folder}/"
            sources = " ".join(_join(src, m) for m in files)
            copies.append(f"{model.style.keyword('COPY')} {flags + ' ' if flags else ''}{sources} {into}")
        manifests_copy = "\n".join(copies)
        edits = [Replace(copy, manifests_copy)]
        deps_only = [i.deps_only for i in installs if i.needs_source]
        run_kw = run.keyword_text
        if deps_only:
            if len(installs) != 1 or rest_start is not None and last_install is None:
                return "several installs that also need the source: split by hand"
            # a dependencies-only install first; the original RUN stays after the source
            run_flags = " ".join(f.text for f in run.flags)
            setup = script.text[:first_install]  # `pip install poetry && `: what the install needs first
            pre = f"{run_kw} {run_flags + ' ' if run_flags else ''}{setup}{deps_only[0]}"
            edits.append(Replace(run, pre + model.style.newline + copy.own_code + run.own_code, verbatim=True))
            what = f"{installs[0].tool} installs the dependencies alone first ({deps_only[0]})"
        elif rest_start is None:
            anchor = _prunes_after(model, run)
            edits.append(InsertAfter(anchor, copy.own_code, verbatim=True))
            what = f"{' and '.join(sorted({i.tool for i in installs}))} installs before the source is copied"
            if anchor is not run:
                what += ", and drops the development dependencies before it too"
        else:
            first, rest = split_arguments(run, last_install, rest_start)
            run_flags = " ".join(f.text for f in run.flags)
            second = f"{run_kw} {run_flags + ' ' if run_flags else ''}{rest}"
            edits.append(Replace(run, first + copy.own_code + second + _ending(run), verbatim=True))
            what = "the RUN is cut after the install, which now runs before the source is copied"
        names = ", ".join(manifests)
        return Fix(copy, f"copy {names} first so the dependency layer is reused when only the source changes: {what}",
                   Safety.REVIEW, tuple(edits))


def _prunes_after(model, run):
    """The last of the RUNs right after `run` that only drop development dependencies
    (`npm prune --omit=dev`, `yarn install --production`, `pnpm prune --prod`): they read the
    manifests and node_modules, not the source, so the source copy can follow them."""
    stage = model.stage_of(run)
    if stage is None:
        return run
    following = stage.instructions[stage.instructions.index(run) + 1:]
    anchor = run
    for ins in following:
        script = model.script(ins) if ins.keyword == "RUN" and not ins.flags else None
        if script is None or not script.commands or not all(_is_prune(c) for c in script.commands):
            break
        anchor = ins
    return anchor


def _is_prune(cmd) -> bool:
    argv = [a or "" for a in cmd.argv]
    if cmd.name == "npm" and argv[1:2] == ["prune"]:
        return all(a in ("--omit=dev", "--production") for a in argv[2:])
    if cmd.name == "pnpm" and argv[1:2] == ["prune"]:
        return all(a in ("--prod", "--production") for a in argv[2:])
    if cmd.name == "yarn" and argv[1:2] == ["install"]:
        return "--production" in argv and all(
            a in ("--production", "--frozen-lockfile", "--ignore-scripts", "--prefer-offline", "--non-interactive")
            for a in argv[2:])
    return False


def _ending(ins) -> str:
    t = ins.tokens[-1]
    return t.text if t.kind == "NEWLINE" and t.text else "\n"


def _join(src: str, name: str) -> str:
    return name if src in ("", ".") else f"{src}/{name}"


def _whole_source(ins, model):
    """(context folder, destination) when `ins` copies a whole folder of the context, else None."""
    if ins.keyword not in ("COPY", "ADD") or ins.heredocs:
        return None
    if ins.flag("from") is not None or ins.flag("parents") is not None or ins.flag("exclude") is not None:
        return None
    args = list(ins.arguments)
    if len(args) != 2:
        return None
    src, dest = args
    if "$" in src or "*" in src or "?" in src:
        return None
    clean = posixpath.normpath(src.lstrip("/")) if src not in (".", "./", "/") else "."
    if clean == ".":
        return ".", dest
    if model.context.known and (model.context.root / clean).is_dir():
        return clean, dest
    return None


def _installs(script, model, src: str, dest_abs: str, workdir: str):
    """The dependency installs at the start of a RUN: (installs, end offset, offset of what follows)."""
    if not script.commands:
        return None
    if not script.is_simple_chain:
        return None
    cwd = workdir
    installs: list[Install] = []
    last_end = None
    rest_start = None
    first_start = None
    for k, cmd in enumerate(script.commands):
        if k > 0 and cmd.connector not in ("&&",):
            if installs:
                return "the install is joined to other commands by something other than &&"
            return None
        if cmd.name == "cd" and len(cmd.argv) == 2 and cmd.argv[1]:
            cwd = posixpath.normpath(posixpath.join(cwd, cmd.argv[1]))
            if installs:
                rest_start = cmd.start
                break
            continue
        base = _relative(cwd, dest_abs)
        found = dependency_install(cmd, model.context, _join(src, base) if base != "." else src) if base is not None else None
        if found is not None:
            if first_start is None:
                first_start = cmd.start
            # manifests relative to the copied folder, not to where the install runs
            found = Install(found.tool, tuple(_join(base, m) for m in found.manifests), found.needs_source,
                            found.deps_only, found.note)
            installs.append(found)
            last_end = cmd.end
            continue
        if installs:
            if cmd.name in _AFTER_INSTALL_OK and _cleanup(cmd):
                last_end = cmd.end
                continue
            rest_start = cmd.start
            break
        if cmd.name not in _SOURCE_FREE and not tool_setup(cmd):
            return None
    if not installs:
        return None
    for i in installs:
        if i.needs_source and i.deps_only is None:
            return i.note or "the install also reads the project's source (e.g. `pip install .` or `-e .` in a requirements file)"
    base = _relative(cwd, dest_abs)
    if base is None:
        return f"the install runs in {cwd}, outside {dest_abs} where the source is copied"
    return installs, last_end, rest_start, first_start


def _cleanup(cmd) -> bool:
    argv = [a or "" for a in cmd.argv]
    if cmd.name == "rm":
        return all(("cache" in a or "/tmp" in a or a.startswith("-")) for a in argv[1:])
    return argv[1:3] in (["cache", "clean"], ["cache", "purge"])


def _relative(cwd: str, dest_abs: str) -> str | None:
    if cwd == dest_abs:
        return "."
    if cwd.startswith(dest_abs.rstrip("/") + "/"):
        return cwd[len(dest_abs.rstrip("/")) + 1 :]
    return None


def _done_before(earlier, installs, model, src, dest_abs, workdirs) -> bool:
    """A dependencies-only install of the same tool already runs before the source copy.

    The install after the source then builds the project, or reinstalls for production
    (`yarn install --production` after a build): either way it stays where it is.
    """
    wanted = {i.tool for i in installs}
    if not wanted:
        return False
    for k, ins in enumerate(earlier):
        if ins.keyword != "RUN":
            continue
        script = model.script(ins)
        found = _installs(script, model, src, dest_abs, workdirs[k]) if script else None
        if isinstance(found, tuple) and any(i.tool in wanted and not i.needs_source for i in found[0]):
            return True
    return False


def _blocking_run(ins, model) -> str | None:
    """Why a RUN between the source copy and the install keeps the order, or None if it does not."""
    script = model.script(ins)
    if script is None:
        return "an exec-form RUN may read the source"
    for cmd in script.commands:
        if cmd.name not in _SOURCE_FREE:
            return f"`{cmd.name or '?'}` runs before the install and may read the source"
    return None
