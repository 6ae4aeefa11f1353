from __future__ import annotations

import posixpath
import re

from ...syntax.edits import Replace
from ...model.caches import cache_dirs, environment, is_cleanup, shipping_stages, step_user, tool_of
from ...model.commands import distro_family, is_windows
from ...model.packages import cache_mounts, covers
from ..base import Fix, Rule, Safety, Skip
from .syntax_directive import directive_edits


class CacheMounts(Rule):
    """
    ## What it does
    Gives every package-manager step a BuildKit cache mount for the tool's
    download cache, in every stage: npm (`~/.npm`), Yarn 1, the pnpm store,
    pip, uv and Poetry (`~/.cache/…`), Go (the module cache and
    `~/.cache/go-build`), Cargo (registry and git, and `target` where the
    same `RUN` copies the binary out of it), Maven (`~/.m2/repository`),
    Gradle (`~/.gradle/caches` and `wrapper`), Bundler, Composer, NuGet,
    apk, dnf, yum, zypper and apt (`/var/cache/apt` and `/var/lib/apt`,
    the lists with `sharing=locked`: one lock a `RUN`, as Buildah 1.28
    hangs on a second). Flags and
    cleanups the mount makes pointless go: `--no-cache-dir`, `apk add
    --no-cache`, `npm cache clean`, `rm -rf /var/lib/apt/lists/*` under the
    mounted lists, `dnf clean all`. The folders follow the user the step
    runs as (`USER app` with a home and ids the file gives, or the base
    image's own user) and the variables that move them (`PIP_CACHE_DIR`,
    `CARGO_HOME` of the rust images, `GOPATH` of the golang images). In a
    stage that does not ship, apt's `docker-clean` hook is turned off so
    the downloaded packages stay in the cache; the final image keeps it.
    The file gets `# syntax=docker/dockerfile:1` as its first line.

    ## Why
    A rebuild after a change to the dependency list downloads everything
    again, because the layer that held the downloads is gone. A cache
    mount keeps the downloads on the builder, outside every layer: the
    image does not carry them and the next build reuses them.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    RUN pip install --no-cache-dir -r requirements.txt
    ```

    ## Use instead
    ```dockerfile
    # syntax=docker/dockerfile:1
    FROM python:3.12-slim
    RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
    ```

    ## Fix safety
    Review: the image holds the same installed packages; the caches stay
    on the builder, and the build needs BuildKit (Docker 23 and later,
    Buildah, Podman); `[tool.refactor] buildkit = false` turns it off.
    Folders that also hold the installed dependencies (Go modules, Cargo's
    registry, `~/.m2`, `~/.gradle`, NuGet's packages) leave the image with
    the mount: the rule declines where a later step reads them without
    the mount, a `COPY --from` copies them, or the image runs the tool at
    run time; and where an earlier step put files in a folder the mount
    would hide (`COPY settings.xml /root/.m2/`). apt's folders are mounted
    only where the same `RUN` runs `apt-get update` first and no later
    step installs from the lists it leaves. A step as a non-root user is given a mount
    only in a stage that does not ship, with the user's ids, because
    BuildKit leaves the mount's folder in the image owned by root. Steps
    that choose their own cache (`PIP_NO_CACHE_DIR`, `--cache-dir`), Yarn
    2 and later, exec-form and here-document `RUN`s, and Windows stages
    are left alone.
    """

    code = "BK001"
    name = "cache-mounts"
    title = "Give package-manager steps a BuildKit cache mount"
    rationale = "A cache mount keeps downloads out of the image and reuses them in the next build."
    safety = Safety.REVIEW

    def check(self, model):
        if not model.options.buildkit:
            return
        shipping = shipping_stages(model)
        hook_off: set[int] = set()
        first = True
        for stage in model.stages:
            if is_windows(model, stage):
                continue
            for ins in stage.instructions[1:]:
                if ins.keyword != "RUN" or ins.is_exec_form or ins.heredocs or not ins.arguments:
                    continue
                plan = _plan(model, stage, ins, shipping, hook_off)
                for reason in plan.skips:
                    yield Skip(reason, ins)
                if not plan.mounts:
                    continue
                code = _with_mounts(model, ins, plan)
                if code is None:
                    yield Skip("the cache mount stays out: the RUN is laid out in a way this rule cannot edit", ins)
                    continue
                if plan.hook:
                    hook_off.add(stage.index)
                edits = [Replace(ins, code, verbatim=True)]
                if first:
                    edits.extend(directive_edits(model))
                    first = False
                yield Fix(ins, plan.message(), Safety.REVIEW, tuple(edits))


# --- what the step gets -------------------------------------------------------------------------


class _Plan:
    def __init__(self) -> None:
        self.mounts: list[str] = []  # the --mount flags' values
        self.edits: list[tuple[int, int, str]] = []  # on the RUN's logical text
        self.skips: list[str] = []
        self.names: list[str] = []
        self.dropped: list[str] = []
        self.hook = False

    def message(self) -> str:
        targets = ", ".join(re.search(r"target=([^,]+)", m).group(1) for m in self.mounts)
        names = list(dict.fromkeys(self.names))
        mounts = "a BuildKit cache mount" if len(self.mounts) == 1 else "BuildKit cache mounts"
        verb = "keeps its" if len(names) == 1 else "keep their"
        text = (f"{' and '.join(names)} {verb} downloads in {mounts} ({targets}), reused by the next build and "
                "kept out of the image")
        # what the mount makes pointless (self.dropped) goes unsaid: an earlier round's --no-cache-dir
        # (HY005 at --safe-only) would make the held-back suggestion a second one; the diff shows it
        if self.hook:
            text += "; apt's docker-clean hook is off in this stage, which does not ship, so the packages stay cached"
        return text


_HOOK_OFF = ("rm -f /etc/apt/apt.conf.d/docker-clean && echo 'Binary::apt::APT::Keep-Downloaded-Packages \"true\";' "
             "> /etc/apt/apt.conf.d/keep-cache && ")


def _plan(model, stage, ins, shipping, hook_off) -> _Plan:
    plan = _Plan()
    script = model.script(ins)
    found = [(c, tool_of(c)) for c in script.commands]
    found = [(c, t) for c, t in found if t is not None]
    if not found:
        return plan
    if script.has_errors:
        plan.skips.append("no cache mount: the shell parser could not read this RUN")
        return plan
    text = ins.arguments[0]
    existing = cache_mounts(ins)
    user = step_user(model, stage, ins)
    env = environment(model, stage, ins)
    taken: set[str] = set(existing)
    for tool in dict.fromkeys(t for _, t in found):
        commands = [c for c, t in found if t is tool]
        dirs = cache_dirs(tool, env, user)
        if isinstance(dirs, str):
            plan.skips.append(f"no cache mount for {tool.name}: {dirs}")
            continue
        if any(covers(t, dirs) for t in existing):
            continue  # the step has its mount already
        reason = _declines(model, stage, ins, tool, commands, dirs, user, env, text, shipping)
        if reason is not None:
            if reason:
                plan.skips.append(f"no cache mount for {tool.name}: {reason}")
            continue
        for n, target in enumerate(dirs):
            if target in taken:
                continue
            taken.add(target)
            value = f"type=cache,target={target}"
            if n in tool.locked:
                value += ",sharing=locked"
            if not user.is_root:
                value += f",uid={user.uid},gid={user.gid}"
            plan.mounts.append(value)
        plan.names.append(tool.name)
        if tool.name == "cargo":
            target = _cargo_target(model, stage, ins, script, commands)
            if target and target not in taken:
                taken.add(target)
                plan.mounts.append(f"type=cache,target={target}" + ("" if user.is_root else f",uid={user.uid},gid={user.gid}"))
        _pointless(script, tool, commands, dirs, plan)
        if tool.name == "apt" and stage.index not in shipping and stage.index not in hook_off \
                and not any("docker-clean" in (o.arguments[0] if o.keyword == "RUN" and o.arguments else "")
                            for s in model.stage_chain(stage) for o in s.instructions) \
                and distro_family(model, stage)[0] in ("debian", "ubuntu"):
            plan.edits.append((0, 0, _HOOK_OFF))
            plan.hook = True
    return plan


def _declines(model, stage, ins, tool, commands, dirs, user, env, text, shipping) -> str | None:
    """Why this tool's step keeps its cache as it is, or None."""
    for var in tool.own_cache:
        if var in env or re.search(rf"\b{var}\b", text):
            return f"{var} is set, which chooses the step's own cache"
    for candidates in tool.dirs:
        for candidate in candidates:
            if candidate.startswith("$"):
                var = candidate[1:].partition("/")[0]
                if re.search(rf"\b{var}\b", text):
                    return f"the RUN sets {var} itself"
    for c in commands:
        if any(v is not None and (v == "--cache-dir" or v.startswith(("--cache-dir=", "--cache-folder"))) for v in c.argv):
            return f"`{_shown(c)}` names its own cache folder"
    if not user.is_root:
        if user.uid is None or user.gid is None or user.home is None:
            return (f"the step runs as USER {user.name}, whose home and numeric uid and gid the file does not say "
                    "(a cache mount belongs to root unless it names them)")
        if any(not d.startswith(user.home.rstrip("/") + "/") for d in dirs):
            return f"the step runs as USER {user.name} and {tool.name}'s cache is a system folder"
        if stage.index in shipping:
            return (f"the step runs as USER {user.name} in a stage that ships: BuildKit leaves the mount's folder in "
                    f"the image, empty and owned by root, where {user.name} could no longer write")
        later = _later_user_step(model, stage, ins)
        if later is not None:
            return (f"the step runs as USER {user.name} and line {later.start_line} runs as that user later: BuildKit "
                    f"leaves the folders it creates for the mount owned by root, where {user.name} could no longer write")
    if tool.name == "yarn":
        if model.context.exists(".yarnrc.yml"):
            return "the context has .yarnrc.yml: Yarn 2 and later keep their cache with the project"
        manifest = model.context.read_json("package.json")
        if isinstance(manifest, dict) and re.match(r"yarn@[2-9]", str(manifest.get("packageManager", ""))):
            return "package.json asks for Yarn 2 or later, which keeps its cache with the project"
    if tool.name == "apt":
        first = min(c.start for c in commands)
        if not any(_apt_update(c) and c.start < first for c in model.script(ins).commands):
            # it installs from the lists an earlier step left, which a mount on /var/lib/apt would hide; once
            # HY001 brings `apt-get update` into the RUN, it gets its mounts: nothing to report meanwhile
            return ""
        later = _later_apt_reader(model, stage, ins)
        if later is not None:
            return (f"the RUN at line {later.start_line} installs from the package lists this RUN leaves in the image, "
                    "which a mount on /var/lib/apt would keep in the build cache instead")
    earlier = _earlier_writer(model, stage, ins, dirs)
    if earlier is not None:
        line, target = earlier
        return f"line {line} puts files in {target}, which the mount would hide"
    held = [d for n, d in enumerate(dirs) if n in tool.holds]
    if held:
        reason = _held_elsewhere(model, stage, ins, tool, held)
        if reason:
            return f"{held[0]} also holds the installed dependencies, and {reason}"
    return None


def _earlier_writer(model, stage, ins, dirs):
    """(line, folder) of an earlier COPY/ADD into a folder the mount would cover, or a RUN that names it."""
    for s in model.stage_chain(stage):
        for other in s.instructions:
            if other is ins:
                return None
            if other.keyword in ("COPY", "ADD") and other.arguments and not other.is_exec_form:
                dest = other.arguments[-1]
                if dest.startswith("/"):
                    dest = posixpath.normpath(dest)
                    for d in dirs:
                        if dest == d or dest.startswith(d + "/"):
                            return other.start_line, d
            elif other.keyword == "RUN" and other.arguments:
                for d in dirs:
                    if re.search(rf"{re.escape(d)}(?![\w.-])", other.original) and not cache_mounts(other):
                        return other.start_line, d
    return None


def _later_user_step(model, stage, ins):
    """A later RUN of the stage, as a non-root user, that is no cache step itself (it might write under
    the home), or None."""
    after = False
    for other in stage.instructions:
        if other is ins:
            after = True
            continue
        if not after or other.keyword != "RUN":
            continue
        if step_user(model, stage, other).is_root:
            continue
        script = model.script(other)
        if script is None or other.heredocs or not any(tool_of(c) for c in script.commands):
            return other
    return None


def _later_apt_reader(model, stage, ins):
    """A later RUN (in this stage or one built FROM it) that calls apt without `apt-get update` first, or None."""
    from ...model.packages import APT

    after = False
    for s in model.stages:
        if stage not in model.stage_chain(s):
            continue
        for other in s.instructions:
            if other is ins:
                after = True
                continue
            if (s is stage and not after) or other.keyword != "RUN":
                continue
            script = model.script(other)
            if script is None or other.heredocs or script.has_errors:
                if any(name in other.original for name in (*APT, "apt-cache")):
                    return other
                continue
            updated = False
            for command in script.commands:
                if _apt_update(command):
                    updated = True
                elif command.name in (*APT, "apt-cache") and not updated:
                    return other
    return None


def _apt_update(command) -> bool:
    from ...model.packages import apt_verb

    return apt_verb(command) == "update"


def _held_elsewhere(model, stage, ins, tool, held) -> str | None:
    """Why moving `held` out of the image would starve a later reader, or None."""
    later_stages = [s for s in model.stages if stage in model.stage_chain(s)]
    program = tool.commands[0][0]
    started = False
    for s in later_stages:
        for other in s.instructions:
            if other is ins:
                started = True
                continue
            if s is stage and not started:
                continue
            if other.keyword == "RUN":
                script = model.script(other)
                if script is None or other.heredocs:
                    if program in other.original:
                        return f"the RUN at line {other.start_line} (exec form or here-document) runs {program} without it"
                    continue
                if script.has_errors and program in other.original:
                    return f"the RUN at line {other.start_line} runs {program} and cannot be given the mount"
            if other.keyword in ("CMD", "ENTRYPOINT") and re.search(rf"(^|[\s\"'/\[]){re.escape(program)}\b", other.original):
                return f"line {other.start_line} runs {program} when the container starts"
    for s in model.stages:
        for other in s.instructions:
            source = other.flag("from") if other.keyword == "COPY" else None
            if not source:
                continue
            names = {st.name for st in later_stages if st.name} | {str(st.index) for st in later_stages}
            if source.lower() not in names:
                continue
            for path in other.arguments[:-1]:
                path = posixpath.normpath(path) if path.startswith("/") else None
                if path and any(covers(path, [h]) for h in held):
                    return f"line {other.start_line} copies {path} out of the stage"
    return None


def _cargo_target(model, stage, ins, script, commands) -> str | None:
    """`<workdir>/target` when the same RUN copies what `cargo build` put there out of it, and no later
    instruction reads target/."""
    build = next((c for c in commands if [w for w in c.argv[1:2]] in (["build"], ["install"])), None)
    if build is None or any(v and v.startswith("--target-dir") for v in build.argv) or "CARGO_TARGET_DIR" in ins.arguments[0]:
        return None
    workdir = _workdir(model, stage, ins)
    if workdir is None:
        return None
    target = posixpath.join(workdir, "target")
    copied = False
    for c in script.commands:
        if c.start < build.end or c.name not in ("cp", "mv", "install", "strip"):
            continue
        paths = [v for v in c.argv[1:] if v and not v.startswith("-")]
        if len(paths) >= 2 and any(_under(p, workdir, target) for p in paths[:-1]) and not _under(paths[-1], workdir, target):
            copied = True
    if not copied:
        return None
    later_stages = [s for s in model.stages if stage in model.stage_chain(s)]
    after = False
    for s in model.stages:
        for other in s.instructions:
            if other is ins:
                after = True
                continue
            if not after:
                continue
            if "target/" in other.original or target in other.original:
                if s in later_stages or other.keyword in ("COPY", "ADD"):
                    return None
    return target


def _under(path: str, workdir: str, target: str) -> bool:
    full = posixpath.normpath(path if path.startswith("/") else posixpath.join(workdir, path))
    return full == target or full.startswith(target + "/")


def _workdir(model, stage, ins) -> str | None:
    from ...model.images import image_facts

    base = image_facts(model.base_image(model.stage_chain(stage)[0])).workdir
    current = base
    for s in model.stage_chain(stage):
        for other in s.instructions:
            if other is ins:
                return current if current and "$" not in current else None
            if other.keyword == "WORKDIR" and other.arguments:
                path = other.arguments[0].strip("\"'")
                if path.startswith("/"):
                    current = posixpath.normpath(path)
                elif current is not None:
                    current = posixpath.normpath(posixpath.join(current, path))
    return current if current and "$" not in current else None


# --- what the mount makes pointless -------------------------------------------------------------


def _pointless(script, tool, commands, dirs, plan) -> None:
    text = script.text
    for c in commands:
        for w in c.words[1:]:
            if w.value is not None and w.value.partition("=")[0] in tool.flags:
                start = w.start
                while start > 0 and text[start - 1] in " \t":
                    start -= 1
                plan.edits.append((start, w.end, ""))
                plan.dropped.append(f"`{w.value}`")
    if not script.is_simple_chain:
        return
    top = [c for c in script.commands if not c.nested]
    for n, c in enumerate(top):
        if n == 0 or c.connector not in ("&&", ";") or (n + 1 < len(top) and top[n + 1].connector == "|"):
            continue
        if is_cleanup(c, tool) or _removes_cache(c, tool, dirs):
            plan.edits.append((top[n - 1].end, c.end, ""))
            plan.dropped.append(f"`{_shown(c)}`")


def _removes_cache(command, tool, dirs) -> bool:
    """`rm -rf /var/lib/apt/lists/*`: every path it removes is inside a folder the step now mounts."""
    if command.name != "rm" or not tool.removed:
        return False
    paths = [v for v in command.argv[1:] if v is None or not v.startswith("-")]
    if not paths or any(p is None for p in paths):
        return False
    for p in paths:
        folder = posixpath.normpath(p.rstrip("*").rstrip("/") or "/")
        if not any(folder == r or folder.startswith(r + "/") for r in tool.removed):
            return False
        if not any(folder == d or folder.startswith(d + "/") for d in dirs):
            return False
    return True


def _shown(command) -> str:
    return " ".join(w.text for w in command.words)


# --- the edit -----------------------------------------------------------------------------------


def _with_mounts(model, ins, plan) -> str | None:
    code = model.edited_run(ins, plan.edits) if plan.edits else ins.own_code
    if code is None:
        return None
    cut = 0
    for n, t in enumerate(ins.tokens):
        if t.kind == "FLAG" or t.kind == ins.keyword:
            cut = sum(len(x.text) for x in ins.tokens[: n + 1])
    head, rest = code[:cut], code[cut:]
    style = model.style
    first_line = head + "".join(f" --mount={m}" for m in plan.mounts) + rest.split("\n", 1)[0]
    if any(t.kind == "LINE_CONTINUATION" for t in ins.tokens) or len(first_line) > 100:
        # one mount a line, as the RUN's own continuation lines are laid out
        rest = rest.lstrip(" \t")
        if rest.startswith(style.escape) and rest[1:2] in ("\r", "\n"):
            rest = rest[1:].lstrip("\r\n").lstrip(" \t")
        code = head + " " + style.line_break.join(f"--mount={m}" for m in plan.mounts) + style.line_break + rest
    else:
        code = head + "".join(f" --mount={m}" for m in plan.mounts) + rest
    new = model.reparsed(ins, code)
    if new is None or new.keyword != "RUN":
        return None
    if len(cache_mounts(new)) != len(cache_mounts(ins)) + len(plan.mounts):
        return None
    return code
