"""The Node split's `deps` stage: the production dependencies installed from the manifests alone.

With a build step, the runtime stage gets `package.json` and the production `node_modules`
from `deps`, then the build output the command runs and the files of the source tree the
program reads at run time from `build`: a source change leaves the dependency layers
cached. `deps_layout` says why not where that cannot be told; the split then copies the
application folder whole, as before.
"""

from __future__ import annotations

import posixpath
import shlex
import re
from dataclasses import dataclass

from ...model.ecosystems import tool_setup
from ..split import Copy, command_files, context_copies, context_files

DEPS = "deps"
DEPS_WHAT = "installs the production dependencies from the manifests alone: a source change leaves this stage cached"

_LOCKFILES = {"npm": ("package-lock.json", "npm-shrinkwrap.json"), "yarn": ("yarn.lock",), "pnpm": ("pnpm-lock.yaml",)}
# scripts npm, yarn and pnpm run during an install: on the manifests alone they may need the source
_INSTALL_SCRIPTS = ("preinstall", "install", "postinstall", "prepublish", "preprepare", "prepare", "postprepare")
_LOCAL_SPEC = ("file:", "link:", "workspace:", "portal:")
_SYSTEM = {"apt-get", "apt", "apk", "dnf", "yum", "microdnf", "rm"}
# the first word of each part of a build script that writes only its output (never into node_modules)
_BUILD_TOOLS = {"tsc", "node", "esbuild", "webpack", "rollup", "vite", "babel", "swc", "tsup", "nest", "ncc", "parcel",
                "rimraf", "shx", "copyfiles", "cpx", "mkdirp", "tsc-alias", "del-cli", "cross-env", "echo", "rm", "mkdir",
                "cp", "npm", "yarn", "pnpm", "react-scripts", "vue-cli-service", "ng", "next", "nuxt", "astro", "svelte-kit"}
_PRODUCTION_FLAGS = {"--production", "--prod", "--omit=dev", "-P", "--frozen-lockfile", "--immutable", "--only=prod",
                     "--only=production"}
# folders a build writes its output to by convention
_OUTPUT_DIRS = ("dist", "build", "out", "lib", ".output")
_CODE = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx")
_TEST_PARTS = {"test", "tests", "__tests__", "spec", "e2e", "cypress", "scripts", "__mocks__", "fixtures"}


@dataclass
class Layout:
    """The deps stage's lines, the runtime's copies, and the words of the message that say what they are."""

    stage: list[str]  # empty: no deps stage (no production dependencies)
    copies: list[Copy]
    what: str


def deps_layout(model, build, pkg: dict, tool: str, install_ins, cmd, manifests: tuple[str, ...], appdir: str,
                base: str, has_build: bool, npm_old: bool) -> "Layout | str":
    """The deps stage and the runtime's copies of a Node build with a build step; else why not."""
    ctx = model.context
    if not ctx.known:
        return "without the build context, the lockfile and the files read at run time cannot be told"
    if build.root_sources or appdir == "/":
        return "the source is copied to /"
    if build.workdir != appdir:
        return f"the command runs in {build.workdir}, the dependencies are installed in {appdir}"
    lock = next((f for f in _LOCKFILES[tool] if f in manifests), None)
    if lock is None:
        return f"there is no {_LOCKFILES[tool][0]}, which an install from the manifests alone needs"
    scripts = pkg.get("scripts") or {}
    hooks = [s for s in _INSTALL_SCRIPTS if s in scripts]
    if hooks:
        return f"package.json's `{hooks[0]}` script runs with the install and may need the source"
    if "workspaces" in pkg or manifests and "pnpm-workspace.yaml" in manifests:
        return "the project has workspaces, whose packages are part of the source"
    for section in ("dependencies", "optionalDependencies"):
        for name, spec in (pkg.get(section) or {}).items():
            if isinstance(spec, str) and spec.startswith(_LOCAL_SPEC):
                return f"{name} is a package of the source tree ({spec})"
    if (pkg.get("pnpm") or {}).get("patchedDependencies"):
        return "pnpm patches dependencies with files of the source tree"
    why = _build_writes_elsewhere(build, scripts, install_ins)
    if why:
        return why
    steps = _steps_before(model, build, install_ins, cmd, manifests)
    if isinstance(steps, str):
        return steps
    if has_build:
        output, why = _build_output(model, build, pkg, base, appdir, scripts)
        if why:
            return why
        reads = _run_time_reads(model, build, pkg, base, appdir, output)
        if isinstance(reads, str):
            return reads
        app = [output, *reads]
    else:
        app = context_copies(model, build, {"node_modules"}, set(manifests))
        if isinstance(app, str):
            return app
    platform = build.stage.platform
    deps = DEPS if (build.stage.name or "").lower() != DEPS else "prod-deps"  # a stage named deps already keeps its name
    stage = [f"# {deps} {DEPS_WHAT}", f"FROM {'--platform=' + platform + ' ' if platform else ''}{build.base.text} {model.style.keyword('AS')} {deps}",
             *steps, f"WORKDIR {appdir}",
             f"COPY {' '.join(_source(base, m) for m in manifests)} ./", f"RUN {_production_install(tool, cmd, npm_old)}"]
    if not any(pkg.get(k) for k in ("dependencies", "optionalDependencies")):
        # nothing to install for production: the install writes no node_modules, and the runtime needs none
        if not has_build:
            return "package.json lists no production dependencies: there is no dependency layer to keep apart"
        stage = []
        copies = [Copy(posixpath.join(appdir, "package.json"), chown=build.chown)]
    else:
        copies = [Copy(posixpath.join(appdir, "package.json"), chown=build.chown, stage=deps),
                  Copy(posixpath.join(appdir, "node_modules"), chown=build.chown, stage=deps)]
    if has_build:
        copies += [Copy(p, chown=build.chown) for p in app]
        names = [posixpath.relpath(p, appdir) for p in app]
        then = f"then {', '.join(names)} from the build"
    else:
        copies += app
        then = "then the source from the build context, as the original copies it"
    what = (f"package.json and the production node_modules from a {deps} stage that installs them from the manifests "
            f"alone (a source change leaves them cached), {then}") if stage else (
        f"package.json and {', '.join(posixpath.relpath(p, appdir) for p in app)} from the build (package.json lists no "
        f"production dependencies, so no node_modules)")
    return Layout(stage, copies, what)


def _source(base: str, name: str) -> str:
    return name if base in ("", ".") else f"{base}/{name}"


def _production_install(tool: str, cmd, npm_old: bool) -> str:
    """The install of the production dependencies alone, with the original's other options."""
    extra = [a for a in (w.text for w in cmd.words[2:]) if a.startswith("-") and a not in _PRODUCTION_FLAGS
             and not a.startswith("--only=")]
    if tool == "npm":
        words = ["npm", "ci", "--production" if npm_old else "--omit=dev"]
    elif tool == "yarn":
        words = ["yarn", "install", "--production", "--frozen-lockfile"]
    else:
        words = ["pnpm", "install", "--prod", "--frozen-lockfile"]
    return " ".join(words + extra)


def _steps_before(model, build, install_ins, cmd, manifests) -> "list[str] | str":
    """The instructions before the install that it may need, repeated in the deps stage (ARG, ENV,
    system packages, the package manager's setup); why not where one does something else."""
    out: list[str] = []
    for ins in build.stage.instructions[1:]:
        kw = ins.keyword
        if ins is install_ins:
            script_cmds = [c for i, c in build.commands if i is ins]
            before = script_cmds[:script_cmds.index(cmd)] if cmd in script_cmds else []
            for c in before:
                if not (c.name in _SYSTEM or tool_setup(c)):
                    return f"line {ins.start_line}: `{c.name}` runs before the install, which may need what it does"
            if before:
                out.append("RUN " + " && ".join(" ".join(w.text for w in c.words) for c in before))
            return out
        if kw in ("ARG", "ENV"):
            out.append(ins.own_code.rstrip("\r\n"))
        elif kw == "USER":
            return f"line {ins.start_line}: the install runs as another USER"
        elif kw in ("COPY", "ADD"):
            if ins.flag("from") is not None:
                return f"line {ins.start_line}: files copied from {ins.flag('from')} before the install may be needed by it"
            for src in list(ins.arguments)[:-1]:
                name = posixpath.basename(posixpath.normpath(src))
                if any(c in src for c in "*?["):  # `COPY package*.json ./`: what it matches in the context
                    matched = model.context.glob(src.lstrip("./")) if model.context.known else []
                    if matched and all(posixpath.basename(m) in manifests for m in matched):
                        continue
                if name not in manifests and not (src in (".", "./") or (posixpath.normpath(src) in build_sources(build))):
                    return f"line {ins.start_line}: {src} is copied before the install, which may read it"
        elif kw == "RUN":
            if any(ins is u for u in build.users):
                continue
            cmds = [c for i, c in build.commands if i is ins]
            if not all(c.name in _SYSTEM or tool_setup(c) for c in cmds):
                odd = next(c for c in cmds if not (c.name in _SYSTEM or tool_setup(c)))
                return f"line {ins.start_line}: `{odd.name}` runs before the install, which may need what it does"
            out.append(ins.own_code.rstrip("\r\n"))
    return out


def build_sources(build) -> set[str]:
    return {src for src, _ in build.sources}


def _build_writes_elsewhere(build, scripts: dict, install_ins) -> str | None:
    """Why the build may change node_modules after the install (`prisma generate`, a patch): the
    runtime then needs the builder's, not the deps stage's."""
    for ins, cmd in build.commands:
        if ins is install_ins or cmd.name in _SYSTEM or tool_setup(cmd) or cmd.name in ("mkdir", "chown", "chmod", "echo", "true"):
            continue
        argv = [a or "" for a in cmd.argv]
        if cmd.name in ("npm", "yarn", "pnpm"):
            name = argv[2] if argv[1:2] == ["run"] and len(argv) > 2 else argv[1] if len(argv) > 1 else ""
            if name == "build":
                for script in ("prebuild", "build", "postbuild"):
                    why = _script_writes_elsewhere(script, scripts.get(script), scripts)
                    if why:
                        return why
                continue
            if name in ("install", "i", "ci", "prune"):
                continue
        return f"line {ins.start_line}: `{' '.join(argv)[:60]}` may write into node_modules"
    return None


def _script_writes_elsewhere(name: str, script, scripts: dict, depth: int = 0) -> str | None:
    if not script:
        return None
    for part in re.split(r"&&|\|\||;", script):
        words = part.split()
        while words and re.match(r"\w+=", words[0]):
            words = words[1:]
        if not words:
            continue
        first = words[0]
        if first in ("npm", "yarn", "pnpm") and depth < 3:
            sub = words[2] if words[1:2] == ["run"] and len(words) > 2 else words[1] if len(words) > 1 else ""
            if sub in scripts:
                why = _script_writes_elsewhere(sub, scripts[sub], scripts, depth + 1)
                if why:
                    return why
                continue
        if first not in _BUILD_TOOLS:
            return f"the `{name}` script runs {first}, which may write into node_modules"
    return None


def _build_output(model, build, pkg, base: str, appdir: str, scripts: dict) -> "tuple[str | None, str | None]":
    """The folder of the build's output that the command runs (`node dist/server.js` → /app/dist); else why not."""
    words = start_words(build, pkg)
    if not words:
        return None, "the command cannot be read"
    if posixpath.basename(words[0]) not in ("node", "nodejs"):
        return None, f"the command runs {words[0]}, whose files cannot be told"
    script = None
    skip = False
    for w in words[1:]:
        if skip:
            skip = False
            continue
        if w in ("-r", "--require", "--import", "--loader", "--experimental-loader", "-e", "--eval", "-p"):
            if w in ("-e", "--eval", "-p"):
                return None, "the command evaluates code given on the command line"
            skip = True
            continue
        if w.startswith("-"):
            continue
        script = w
        break
    if script is None or "$" in script:
        return None, "the script the command runs cannot be told"
    absolute = posixpath.normpath(posixpath.join(build.workdir, script))
    if not absolute.startswith(appdir.rstrip("/") + "/"):
        return None, f"the command runs {script}, outside {appdir}"
    rel = absolute[len(appdir.rstrip("/")) + 1:]
    top = rel.split("/", 1)[0]
    ctx = model.context
    if top == rel:
        return None, f"the command runs {script}, which is not in a folder of the build's output"
    if ctx.exists(_source(base, top)):
        return None, f"the command runs {script}, in {top}/ of the source tree, not the build's output"
    evidence = top in _OUTPUT_DIRS or top in " ".join(str(s) for s in scripts.values())
    tsconfig = ctx.read_text(_source(base, "tsconfig.json")) or ""
    out_dir = re.search(r'"outDir"\s*:\s*"(?:\./)?([^"/]+)', tsconfig)
    if out_dir and out_dir.group(1) == top:
        evidence = True
    if not evidence:
        return None, f"nothing says the build writes {top}/"
    return posixpath.join(appdir, top), None


# calls that open a file of the source tree by the name they are given
_JS_READS = re.compile(
    r"\b(?:readFileSync|readFile|createReadStream|readdirSync|readdir|opendirSync|opendir|existsSync|statSync|"
    r"accessSync|sendFile|download|static|serveStatic|loadFile|readJson|readJsonSync|pathExists|pathExistsSync)\(")
_VIEWS = re.compile(r"""\.set\(\s*['"]views['"]\s*,""")
_STRING = r"""(?:'([^'\\\n]*)'|"([^"\\\n]*)"|`([^`\\$\n]*)`)"""
_LITERAL = re.compile(_STRING)
_TEMPLATE_ENGINES = {"ejs", "pug", "jade", "hbs", "express-handlebars", "handlebars", "nunjucks", "mustache",
                     "mustache-express", "eta", "liquidjs", "twig", "express-art-template", "marko"}


def _run_time_reads(model, build, pkg: dict, base: str, appdir: str, output: str) -> "list[str] | str":
    """Absolute paths of the source tree the program reads at run time (views, templates, public/,
    configuration), from the calls of its source that open files by a literal name and the string
    literals that name an entry of the build context; why not where a name is computed."""
    ctx = model.context
    root = ctx.root if base in ("", ".") else ctx.root / base
    deps = set(pkg.get("dependencies") or {})
    found: list[str] = []
    skip_tops = {"node_modules", "package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock",
                 "pnpm-lock.yaml", ".npmrc", ".yarnrc", "Dockerfile", ".dockerignore", ".git", ".gitignore"}
    code_tops = set()
    for path in context_files(ctx, root, (".ts", ".tsx", ".mts", ".cts"), 400):
        code_tops.add(path.relative_to(root).as_posix().split("/", 1)[0])

    def add(top: str, where: str) -> str | None:
        if top in skip_tops or top in (".", "..", "") or posixpath.join(appdir, top) == output:
            return None
        if not ctx.exists(_source(base, top)):
            return f"{where} opens {top}, which is not in the build context"
        absolute = posixpath.join(appdir, top)
        if absolute not in found:
            found.append(absolute)
        return None

    for path in context_files(ctx, root, _CODE, 400):
        rel = path.relative_to(root).as_posix()
        parts = rel.split("/")
        if _TEST_PARTS & set(parts[:-1]) or re.search(r"\.(test|spec|config|d)\.[cm]?[jt]sx?$", path.name) \
                or len(parts) == 1 and path.name.startswith(("jest.", "vite.", "webpack.", "rollup.", "babel.", "eslint", ".")):
            continue
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for m in _JS_READS.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            before = text[text.rfind("\n", 0, m.start()) + 1:m.start()].lstrip()
            if before.startswith(("//", "/*", "*")):
                continue
            name = _js_name(text, text[m.end():m.end() + 200])
            if name is None:
                call = re.sub(r"\s+", " ", text[m.start():m.end() + 40]).split("\n")[0][:50]
                return f"{rel}:{line} opens a file by a name the split cannot read (`{call}…`)"
            if name.startswith("/") and not name.startswith(appdir.rstrip("/") + "/"):
                continue
            if name.startswith("/"):
                name = name[len(appdir.rstrip("/")) + 1:]
            first = name[2:] if name.startswith("./") else name
            why = add(re.split(r"[*?\[]", first, 1)[0].rstrip("/").split("/", 1)[0], f"{rel}:{line}")
            if why:
                return why
        if _VIEWS.search(text) is None and re.search(r"\brender\(", text) and deps & _TEMPLATE_ENGINES:
            if not ctx.exists(_source(base, "views")):
                return f"{rel} renders templates from a folder the split cannot find (Express's default views/ is not in the build context)"
            add("views", rel)
        for m in _VIEWS.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            name = _js_name(text, text[m.end():m.end() + 200])
            if name is None:
                return f"{rel}:{line} sets the views folder by a name the split cannot read"
            why = add(name.lstrip("./").split("/", 1)[0], f"{rel}:{line}")
            if why:
                return why
        if re.search(r"""\brequire\(\s*['"]dotenv(?:/config)?['"]|\bfrom\s+['"]dotenv(?:/config)?['"]""", text) \
                and ctx.exists(_source(base, ".env")):
            add(".env", rel)
        for groups in _LITERAL.findall(text):
            literal = next((g for g in groups if g), "")
            first = literal[2:] if literal.startswith("./") else literal
            top = first.split("/", 1)[0]
            if not top or top in skip_tops or top in code_tops or top in (".", "..") or " " in top \
                    or not re.fullmatch(r"[\w.@-]+", top) or top.endswith(_CODE):
                continue
            if ctx.exists(_source(base, top)) and not ctx.ignored(_source(base, top)):
                add(top, rel)
    if "config" in deps and ctx.exists(_source(base, "config")):
        add("config", "the config package")
    for path in command_files(model, build):
        if path.startswith(appdir.rstrip("/") + "/") and not path.startswith(output + "/"):
            top = path[len(appdir.rstrip("/")) + 1:].split("/", 1)[0]
            add(top, "the command")
    return found


def _js_name(text: str, rest: str) -> str | None:
    """The path a call's first argument spells: a string literal, `path.join`/`path.resolve` of
    `process.cwd()` and literals, or a constant the file sets once to one of those; None when computed."""
    m = re.match(r"\s*" + _STRING + r"\s*[,)]", rest)
    if m:
        return next(g for g in m.groups() if g is not None)
    m = re.match(r"\s*path\.(?:join|resolve)\(\s*(?:process\.cwd\(\)\s*,\s*)?((?:" + _STRING + r"\s*,?\s*)+)\)", rest)
    if m:
        pieces = [next(g for g in groups if g is not None) for groups in _LITERAL.findall(m.group(1))]
        return posixpath.normpath("/".join(pieces)) if pieces else None
    m = re.match(r"\s*([A-Za-z_$][\w$]*)\s*[,)]", rest)
    if m:
        sets = re.findall(rf"(?m)^\s*(?:const|let|var)\s+{re.escape(m.group(1))}\s*=\s*(.+?)\s*;?\s*$", text)
        if len(sets) == 1:
            return _js_name(text, sets[0] + ")") if not sets[0].startswith(m.group(1)) else None
    return None


def start_words(build, pkg: dict) -> list[str]:
    """The program the start command runs, following `npm start` / `npm run X` into package.json."""
    words = list(build.entry)
    if not words:
        return []
    scripts = pkg.get("scripts") or {}
    if words[0] in ("npm", "yarn", "pnpm") and len(words) > 1:
        name = words[2] if words[1] == "run" and len(words) > 2 else words[1]
        script = scripts.get(name)
        if script:
            try:
                return shlex.split(script)
            except ValueError:
                return [script]
    if words[0] == "npx" and len(words) > 1:
        return words[1:]
    return words
