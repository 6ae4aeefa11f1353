from __future__ import annotations

import posixpath
import re
import shlex

from ...syntax.edits import InsertAfter
from ...model.ecosystems import dependency_install
from ..base import Fix, Safety, Skip
from ..split import Copy, SplitRule, app_dirs, slim_runtime, split_fix, uncovered_paths, unknown_command
from ..split.runtime import distribution, distro_release, distro_runtime
from .node_deps import deps_layout, start_words as _start_words
from .static_site import static_output

_TOOLS = {"npm", "npx", "yarn", "pnpm", "corepack", "node", "tsc"}


class NodeSplit(SplitRule):
    """
    ## What it does
    Splits a single-stage Node.js build (npm, yarn or pnpm; with or without a
    `build` script) in three: a `deps` stage on the same image installs the
    production dependencies from the manifests and the lockfile alone
    (`npm ci --omit=dev`, `yarn install --production --frozen-lockfile`,
    `pnpm install --prod --frozen-lockfile`); the original stage becomes the
    `build` stage, which keeps the compilers, installs every dependency and
    runs the build; a runtime stage on the slim variant of the same Node image
    copies `package.json` and `node_modules` from `deps` first, each in its own
    layer, then from `build` the output the command runs (`dist/`, `build/`)
    and the files of the source tree the program reads at run time (views,
    `public/`, `.env`, configuration: what its read calls and string literals
    name), or, without a build step, the source from the build context as the
    original copies it. It ends with the original configuration. Runtime system packages
    are installed again; compilers and `-dev` headers are not.

    Where the production install cannot be made from the manifests alone (no
    lockfile, an install script such as `postinstall` or `prepare`,
    workspaces or local packages, a step before the install or after it that
    may write into `node_modules`, such as `prisma generate`), or where what
    the program reads cannot be told (a file opened by a computed name, a
    command that runs a file of the source tree next to a build), the build
    stage prunes the development dependencies instead (`npm prune --omit=dev`,
    `yarn install --production`, `pnpm prune --prod`) and the runtime copies
    the application folder whole; the message says why.

    In a file that is already split this way, it also offers (as an unsafe
    fix) `ENV NODE_ENV=production` in the runtime stage.

    ## Why
    The full `node` image carries compilers, Python and headers (about 1 GB);
    `-slim` is a fifth of that. Development dependencies (TypeScript, test
    runners, bundlers) have no business in the image that serves traffic.
    With the dependencies in layers of their own, made from the manifests
    alone, a change to the source rebuilds and ships only the application's
    layers: `node_modules` stays cached.

    ## Example
    ```dockerfile
    FROM node:20
    WORKDIR /app
    COPY . .
    RUN npm ci
    RUN npm run build
    CMD ["node", "dist/server.js"]
    ```

    ## Use instead
    ```dockerfile
    FROM node:20 AS deps
    WORKDIR /app
    COPY package.json package-lock.json ./
    RUN npm ci --omit=dev

    FROM node:20 AS build
    WORKDIR /app
    COPY . .
    RUN npm ci
    RUN npm run build

    FROM node:20-slim AS runtime
    WORKDIR /app
    COPY --from=deps /app/package.json /app/package.json
    COPY --from=deps /app/node_modules /app/node_modules
    COPY --from=build /app/dist /app/dist
    CMD ["node", "dist/server.js"]
    ```

    ## Fix safety
    Review: the image's configuration is kept, but the runtime image has
    fewer system tools, a package listed under `devDependencies` that the
    application loads at run time is gone, and with a build step the runtime
    gets only the build's output and the files the source names: a file the
    program opens by a name built at run time from something other than
    literals would be missing, so such a call keeps the whole folder. The
    rule declines when the start command runs a development dependency, when
    a global install is used at run time, when a command of the build may
    write outside the application folder, and for yarn 2+.
    `NODE_ENV=production` is unsafe: libraries behave differently under it.
    """

    code = "MS001"
    name = "split-node"
    title = "Split a Node.js build into a build stage and a slim runtime stage"
    rationale = "Compilers and development dependencies stay in the build stage; the image that runs is the slim Node image with production dependencies only."
    ecosystem = "node"
    images = ("node",)
    distro = True

    def check(self, model):
        yield from super().check(model)
        if len(model.stages) > 1:
            fix = _node_env(model)
            if fix is not None:
                yield fix

    def plan(self, model, build):
        if static_output(model, build) is not None:
            return None  # MS009 serves it with nginx
        ctx = model.context
        installs = []
        odd = None  # an install the split does not follow, the reason when it finds no other
        for ins, cmd in build.commands:
            if cmd.name in ("npm", "yarn", "pnpm"):
                workdir = build.workdir_at[id(ins)]
                base = _context_folder(build, workdir)
                found = dependency_install(cmd, ctx, base) if base is not None else None
                if found is not None:
                    installs.append((ins, cmd, found, workdir, base))
                elif odd is None and cmd.argv[1:2] and cmd.argv[1] in ("install", "i", "add", "ci") \
                        and not {"-g", "--global"} & set(cmd.argv):
                    said = " ".join(a or "…" for a in cmd.argv)
                    named = [a for a in cmd.argv[2:] if a and not a.startswith("-")]
                    if base is None:
                        odd = f"line {ins.start_line}: `{said}` runs in {workdir}, where no source folder of the context was copied"
                    elif named:
                        odd = (f"line {ins.start_line}: `{said}` installs the packages it names ({', '.join(named)}), "
                               f"not the dependencies package.json lists; the split follows only those installs")
        if not installs:
            if odd:
                return odd
            if not model.context.exists("package.json") and model.context.known:
                return "no npm, yarn or pnpm install, and no package.json in the build context: there is nothing for a build stage to keep"
            return "no npm, yarn or pnpm install of the dependencies package.json lists: there is nothing for a build stage to keep"
        tools = {i[2].tool for i in installs}
        if len(tools) > 1:
            return f"several package managers ({', '.join(sorted(tools))}); split by hand"
        tool = tools.pop()
        ins, cmd, found, appdir, base = installs[-1]
        if any(c.name == "cd" for _, c in build.commands):
            return "a RUN changes directory with cd; split by hand"
        why = unknown_command(build, _TOOLS)
        if why:
            return why
        pkg = ctx.read_json(_join(base, "package.json")) or {}
        dev = set((pkg.get("devDependencies") or {}).keys())
        blocker = _dev_at_run_time(build, pkg, dev)
        if blocker:
            return blocker
        if build.entry[:1] == ("pnpm",) or build.entry[:1] == ("yarn",) and any(c.name == "corepack" for _, c in build.commands):
            return f"the command runs {build.entry[0]}, set up by corepack in the build: it would be missing at run time"
        global_tool = _global_used(build)
        if global_tool:
            return f"the command runs {global_tool}, installed globally in the build: it would be missing at run time"
        if tool == "yarn" and ctx.exists(_join(base, "yarn.lock")) and "yarn lockfile v1" not in (ctx.read_text(_join(base, "yarn.lock"), 4096) or ""):
            return "yarn 2+ (Berry) builds are not split yet"
        distro = distribution(build.base)
        npm_left = ""
        if distro is not None:
            slim = _distro_runtime(model, build)
            if isinstance(slim, str):
                return slim
            runtime, packages, npm_left = slim
            prune = _prune(tool, cmd, "")  # the distribution's npm may predate --omit: --production works in every npm
            if prune and prune.startswith("RUN npm prune"):
                prune = "RUN npm prune --production"
            if not npm_left and not (set(build.packages) - set(packages)) and prune is None and not _has_build(pkg, build):
                return "nothing would be left behind: the build installs no build-only package and only production dependencies"
        else:
            slim = slim_runtime(model, build, "node", (_join(base, "package.json"),))
            if isinstance(slim, str):
                return slim
            runtime, packages = slim
            prune = _prune(tool, cmd, build.base.tag or "")
            if runtime == build.base.text and prune is None and not _has_build(pkg, build) and not packages:
                return "the base is already slim and only production dependencies are installed: a split would change nothing"
        if prune and not _has_build(pkg, build):
            used = _imports(ctx, base) & dev
            if used:
                return f"the source loads {', '.join(sorted(used))}, listed under devDependencies: pruning them would break it"
        dirs = app_dirs(build)
        if build.root_sources and appdir == "/":
            # the source is at /: the entries the copies placed, and what the install wrote beside them
            dirs = [d for d in dict.fromkeys(build.source_dirs) if d in dirs and d != "/node_modules"] + ["/node_modules"]
        elif appdir not in dirs and not any(appdir.startswith(d + "/") for d in dirs):
            return f"dependencies are installed in {appdir}, where no source was copied"
        copies = [Copy(d, chown=build.chown) for d in dirs]
        why = uncovered_paths(build, copies)
        if why:
            return why
        steps = [prune] if prune else []
        old_npm = distro is not None or _old_npm(build.base.tag or "")
        layout = deps_layout(model, build, pkg, tool, ins, cmd, found.manifests, appdir, base, _has_build(pkg, build), old_npm)
        if not isinstance(layout, str):
            why = uncovered_paths(build, layout.copies)
            if why:
                layout = why
        where = f"{build.base.text} keeps the compilers" if runtime != build.base.text else f"{build.base.text} installs" + (" and runs the build" if _has_build(pkg, build) else "")
        what = ", ".join(dirs) if len(dirs) <= 6 else ", ".join(dirs[:5]) + f" and {len(dirs) - 5} more"
        if build.root_sources:
            what = f"the entries the source copy placed at / ({what}), each by name"
        message = (f"split into a build stage ({where}{', then drops the dev dependencies' if prune else ''}) and a "
                   f"{runtime} runtime stage that copies {what}: a smaller image without build tools")
        if npm_left:
            message += f"; {npm_left}"
        if isinstance(layout, str):
            message += f"; node_modules is not copied apart from the application folder: {layout}"
            return split_fix(model, build, runtime=runtime, copies=copies, message=message, builder_steps=steps,
                             runtime_packages=packages)
        message = (f"split into a build stage ({where}) and a {runtime} runtime stage that copies {layout.what}: "
                   f"a smaller image without build tools" + (f"; {npm_left}" if npm_left else ""))
        # the build gave the whole folder to a user (`chown -R`): the runtime's folder is that user's too,
        # not only the files copied into it
        owned = [f"RUN mkdir -p {appdir} && chown {build.chown} {appdir}"] if build.chown else []
        return split_fix(model, build, runtime=runtime, copies=layout.copies, message=message,
                         runtime_packages=packages, stages_before=[layout.stage] if layout.stage else [],
                         runtime_steps=owned)


def _distro_runtime(model, build):
    """(runtime, packages, note) of a Node.js app on a distribution image that installs nodejs with the
    system's package manager: the same image and tag, nodejs and the runtime packages; npm stays in the
    build stage unless the command runs it. Or why not."""
    _, tool = distribution(build.base)
    release = distro_release(build.base)
    if isinstance(release, str):
        return release
    key, _facts = release
    if not any(i.keyword in ("CMD", "ENTRYPOINT") for i in build.moves):
        return (f"the file sets no command (the one of {build.base.text} is a shell): what runs in the image, and so "
                f"which of its packages it needs, cannot be told; split by hand")
    names = {"nodejs", "nodejs-current"}
    if not any(p in names for p in build.packages):
        return f"Node.js is not installed with the system's package manager on {build.base.text}: the split has no runtime to keep"
    got = distro_runtime(model, build, next(p for p in build.packages if p in names), tool, key)
    if isinstance(got, str):
        return got
    runtime, packages = got
    words = list(build.entry) or " ".join(a for i in build.moves if i.keyword in ("CMD", "ENTRYPOINT")
                                          for a in i.arguments).split()
    note = ""
    for manager in ("npm", "nodejs-npm", "yarn"):
        if manager in packages and not any(w in ("npm", "npx", "yarn", "yarnpkg") for w in words[:3]):
            packages = [p for p in packages if p != manager]
            note = f"{manager} stays in the build stage (the command does not run it)"
    return runtime, packages, note


_IMPORT = re.compile(r"""(?:require\(\s*|\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"]([^'"./][^'"]*)['"]""")


def _imports(ctx, base: str) -> set[str]:
    """Packages the JavaScript source loads (`require('x')`, `import … from 'x'`)."""
    from ..split import context_files

    if not ctx.known:
        return set()
    root = ctx.root if base in ("", ".") else ctx.root / base
    names: set[str] = set()
    for path in context_files(ctx, root, (".js", ".mjs", ".cjs", ".ts"), 400):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for spec in _IMPORT.findall(text):
            parts = spec.split("/")
            names.add("/".join(parts[:2]) if spec.startswith("@") else parts[0])
    return names


def _join(base: str, name: str) -> str:
    return name if base in ("", ".") else f"{base}/{name}"


def _context_folder(build, workdir: str) -> str | None:
    """The context folder whose files are at `workdir` in the image: a folder copied there whole, else the
    folder of the files copied into it one by one (`COPY package.json /opt/server/`)."""
    for src, dest in build.sources:
        if dest == workdir:
            return src
    folders = set()
    for ins in build.stage.instructions:
        if ins.keyword not in ("COPY", "ADD") or ins.flag("from") is not None or len(ins.arguments) < 2 or ins.heredocs:
            continue
        dest = ins.arguments[-1]
        at = build.workdir_at.get(id(ins), build.workdir)
        target = posixpath.normpath(posixpath.join(at or "/", dest))
        if "$" in dest or not (dest.endswith("/") or dest in (".", "./") or target == workdir):
            continue
        if target != workdir:
            continue
        for src in ins.arguments[:-1]:
            if "$" in src or any(ch in src for ch in "*?["):
                return None
            folders.add(posixpath.dirname(posixpath.normpath(src.lstrip("/"))) or ".")
    return folders.pop() if len(folders) == 1 else None


def _has_build(pkg: dict, build) -> bool:
    scripts = pkg.get("scripts") or {}
    return "build" in scripts and any(c.name in ("npm", "yarn", "pnpm") and "build" in c.argv for _, c in build.commands)


def _prune(tool: str, cmd, tag: str) -> str | None:
    args = [a or "" for a in cmd.argv[1:]]
    if any(a in ("--production", "--prod", "--omit=dev", "-P") or a.startswith("--only=prod") for a in args):
        return None  # only production dependencies were installed
    if tool == "npm":
        return "RUN npm prune --production" if _old_npm(tag) else "RUN npm prune --omit=dev"
    if tool == "yarn":
        return "RUN yarn install --production --frozen-lockfile --ignore-scripts --prefer-offline"
    return "RUN pnpm prune --prod"


def _old_npm(tag: str) -> bool:
    """Node before 16 ships npm 6, which knows --production, not --omit."""
    major = re.match(r"(\d+)", tag)
    return major is not None and int(major.group(1)) < 16


def _dev_at_run_time(build, pkg: dict, dev: set[str]) -> str | None:
    words = list(build.entry)
    if not words and build.entry_shell:  # a shell-form command with variables or operators: its words as written
        raw = " ".join(ins.arguments[0] for ins in build.moves
                       if ins.keyword in ("CMD", "ENTRYPOINT") and not ins.is_exec_form and ins.arguments)
        words = raw.split()
        named = sorted(set(words) & dev)
        if named:
            return f"the start command runs {', '.join(named)}, a development dependency that the runtime would not have"
    if words[:1] and words[0] in ("npm", "yarn", "pnpm") and len(words) > 1:
        name = words[2] if words[1] == "run" and len(words) > 2 else words[1]
        if "$" in name:
            # the script is chosen when the container starts (`npm run $NODE_ENV`): any of them may run
            for script, line in sorted((pkg.get("scripts") or {}).items()):
                try:
                    used = set(shlex.split(line)) & dev
                except ValueError:
                    used = {w for w in line.split() if w in dev}
                if used:
                    return (f"the command runs the script named by {name}; the `{script}` script runs "
                            f"{', '.join(sorted(used))}, a development dependency that the runtime would not have")
            return None
    words = _start_words(build, pkg)
    if not words:
        return None
    program = words[0]
    if program in dev:
        return f"the start command runs {program}, a development dependency that the runtime would not have"
    return None


def _global_used(build) -> str | None:
    globals_ = set()
    for _, cmd in build.commands:
        argv = [a or "" for a in cmd.argv]
        if cmd.name in ("npm", "pnpm") and ("-g" in argv or "--global" in argv):
            globals_.update(a.split("@")[0] for a in argv[2:] if not a.startswith("-"))
        if cmd.name == "yarn" and argv[1:2] == ["global"]:
            globals_.update(a.split("@")[0] for a in argv[3:] if not a.startswith("-"))
    words = list(build.entry)
    for w in words[:2]:
        for g in globals_:
            if w == g or w.startswith(g):
                return w
    return None


def _node_env(model):
    """`ENV NODE_ENV=production` for the runtime stage of a split Node build (unsafe)."""
    final = model.final_stage
    base = model.base_image(final)
    if base.path.rsplit("/", 1)[-1] != "node" or not any(i.keyword == "COPY" and i.flag("from") for i in final.instructions):
        return None
    for stage in model.stage_chain(final):
        for ins in stage.instructions:
            if ins.keyword == "ENV" and any(k == "NODE_ENV" for k, _ in ins.pairs):
                return None
    frm = final.from_instruction
    return Fix(frm, "set NODE_ENV=production in the runtime stage: Express, React and many libraries skip "
                    "development-only work under it", Safety.UNSAFE, (InsertAfter(frm, "ENV NODE_ENV=production"),))


__all__ = ["NodeSplit", "Skip"]
