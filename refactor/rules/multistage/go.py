from __future__ import annotations

import dataclasses
import posixpath
import re

from ...syntax.edits import InsertBefore
from ..split.runtime import distribution, distro_packages, distro_release
from ..split import command_files, STANDARD_PATH, Copy, context_files, SplitRule, files_read, native_runtime, program_path, runtime_packages, \
    split_fix, uncovered_paths, unknown_command, debian_suite

_GO_PATH = ("/go/bin", "/usr/local/go/bin", "/root/go/bin") + STANDARD_PATH


class GoSplit(SplitRule):
    """
    ## What it does
    Splits a single-stage Go build: the original stage compiles (the `build`
    stage), and a runtime stage holds only the binary, at the same path, plus
    the files of the build context that the program's source names in string
    literals (`templates/`, `config.yaml`). When the build can be static
    (`CGO_ENABLED=0` is set, or no `import "C"` is visible and the module has
    no dependencies, in which case the rule sets `CGO_ENABLED=0`), the runtime
    is `gcr.io/distroless/static`; a cgo build gets `gcr.io/distroless/cc` of
    a Debian release whose glibc runs it, and a Debian slim image where the
    command needs a shell, a package or a user. On `golang:*-alpine` (Go
    1.20 or later) with no C compiler installed the go command turns cgo off
    itself, so the binary is static; a cgo build there gets the Alpine release
    its tag names (`-alpine3.20` -> `alpine:3.20`), the same musl.

    The binary is found where the go command writes it: `-o`; else `go build`
    names it after the package (the module path's last element that is not a
    major version, or the folder's name below the module root; `go build
    main.go` writes `main`) in its working directory, and `go install` (`.`,
    `./...`, `./cmd/x`, an import path) writes each main package to $GOBIN or
    $GOPATH/bin (`/go/bin`); the runtime gets the one the command runs.

    ## Why
    The `golang` image is 800 MB of compiler and sources; the program needs
    none of it. A distroless runtime is a few megabytes and has no shell for an
    attacker to use.

    ## Example
    ```dockerfile
    FROM golang:1.22
    WORKDIR /src
    COPY . .
    RUN go build -o /usr/local/bin/hello .
    CMD ["hello"]
    ```

    ## Use instead
    ```dockerfile
    FROM golang:1.22 AS build
    WORKDIR /src
    COPY . .
    ENV CGO_ENABLED=0
    RUN go build -o /usr/local/bin/hello .

    FROM gcr.io/distroless/static-debian13
    WORKDIR /src
    COPY --from=build /usr/local/bin/hello /usr/local/bin/hello
    CMD ["hello"]
    ```

    ## Fix safety
    Review: the configuration is kept, but a file the program opens by a
    name built at run time, not written as a literal in its source, would be
    missing. The rule declines when the command does not run the binary the
    build writes, when it cannot tell the output path, and for commands of
    the build it does not know.
    """

    code = "MS003"
    name = "split-go"
    title = "Split a Go build into a compile stage and a minimal runtime"
    rationale = "The runtime needs the binary, not the Go toolchain: a distroless image holds it in a few megabytes."
    ecosystem = "go"
    images = ("golang",)
    distro = True

    def plan(self, model, build):
        builds = [(ins, c) for ins, c in build.commands if c.name == "go" and c.argv[1:2] in (("build",), ("install",))]
        if not builds:
            return "no `go build` or `go install` in a RUN: the Go split follows only those"
        why = unknown_command(build, {"go", "gofmt"})
        if why:
            return why
        found = [(i, c, _outputs(model, build, i, c)) for i, c in builds]
        runs = [(i, c, o) for i, c, outs in found if not isinstance(outs, str) for o in outs
                if program_path(build, _GO_PATH, o) == o]
        ins, cmd, outputs = found[-1]
        if runs:
            ins, cmd, artifact = runs[-1]
        elif isinstance(outputs, str):
            return f"line {ins.start_line}: {outputs}"
        else:
            artifact = None
        if artifact is None:
            if not build.entry and not build.entry_shell:
                return (f"the file sets no command (CMD or ENTRYPOINT): nothing tells that the image runs the binary the "
                        f"build writes ({', '.join(outputs)})")
            if build.entry_shell and not build.entry:
                return ("the command is in shell form with shell syntax: the split cannot tell it runs the binary the "
                        f"build writes ({', '.join(outputs)}); split by hand")
            return f"the command does not run the binary the build writes ({', '.join(outputs)})"
        if distribution(build.base) is not None:
            return _plan_distro(model, build, ins, artifact)
        packages, why = runtime_packages(build, debian_suite(build.base), model)
        if why:
            return why
        env = _env(build)
        assignments = " ".join(cmd.assignments)
        static = env.get("CGO_ENABLED") == "0" or "CGO_ENABLED=0" in assignments
        cgo_on = env.get("CGO_ENABLED") == "1" or "CGO_ENABLED=1" in assignments
        add_static = False
        no_compiler = False
        if not static and not cgo_on:
            no_compiler = _alpine_without_compiler(build, env)
            if no_compiler:
                static = True
            elif not _uses_cgo(model) and not _has_requirements(model):
                static = add_static = True
        if "alpine" in (build.base.tag or "") and not static:
            runtime = _musl_runtime(build, packages)
            if runtime.startswith("!"):
                return runtime[1:]
        else:
            runtime = native_runtime(build, packages, static=static)
        read = files_read(model, build, (".go",))
        if isinstance(read, str):
            return read
        copies = [Copy(artifact)] + [Copy(p) for p in dict.fromkeys(read + _dotenv(model, build) + command_files(model, build))]
        # a folder `mkdir` makes that holds the binary, or is the WORKDIR, the runtime stage has as well
        made = {posixpath.normpath(posixpath.join(build.workdir_at[id(i)], a)) for i, c in build.commands if c.name == "mkdir"
                for a in c.argv[1:] if a and not a.startswith("-")}
        made -= {posixpath.normpath(posixpath.join(build.workdir_at[id(i)], a)) for i, c in build.commands
                 if c.name in ("chmod", "chown", "cp", "mv", "ln", "touch", "rm", "sed") for a in c.argv[1:] if a and not a.startswith("-")}
        kept = [p for p in build.file_paths if not (p in made and (p == build.workdir or any(
            c.path.startswith(p.rstrip("/") + "/") for c in copies)))]
        why = uncovered_paths(dataclasses.replace(build, file_paths=kept), copies)
        if why:
            return why
        runtime_env = []
        folder = posixpath.dirname(artifact)
        if "/" not in build.entry[0] and folder not in STANDARD_PATH:
            runtime_env.append(f'ENV PATH="{folder}:$PATH"')
        message = (f"split into a build stage ({build.base.text}) and a runtime on {runtime} with only the binary"
                   + (f" {artifact}" if artifact != build.entry[0] else "")
                   + (f" and {', '.join(c.path for c in copies[1:])}" if copies[1:] else "")
                   + ("; CGO_ENABLED=0 makes it static: no cgo is visible and the module has no dependencies" if add_static else "")
                   + (f"; the binary is static: {build.base.text} has no C compiler, so cgo is off" if no_compiler else ""))
        cross = static and _cross_compiles(model, build, env)
        if cross:
            message += ("; the build stage runs on the build machine's platform ($BUILDPLATFORM) and cross-compiles "
                        "for the target's (GOOS/GOARCH from TARGETOS/TARGETARCH), with no emulation")
        fix = split_fix(model, build, runtime=runtime, copies=copies, message=message, runtime_packages=packages,
                        runtime_env=runtime_env, builder_platform="$BUILDPLATFORM" if cross else None)
        extra = []
        if add_static:
            extra.append(InsertBefore(ins, "ENV CGO_ENABLED=0", above_comments=False))
        if cross:
            first = next(i for i, c in build.commands if c.name == "go")
            extra.append(InsertBefore(first, "ARG TARGETOS\nARG TARGETARCH\nENV GOOS=$TARGETOS GOARCH=$TARGETARCH"))
        if extra:
            fix = type(fix)(fix.target, fix.message, fix.safety, fix.edits + tuple(extra))
        return fix


# the distributions' Go toolchain packages: build-only
_GO_PACKAGES = re.compile(r"(golang(-go|-src|-doc|-bin)?|golang-\d[\d.]*(-go)?|go|golang-\d[\d.]*-src)$")


def _plan_distro(model, build, ins, artifact: str):
    """The split of a Go build on a plain distribution image that installs Go with its package manager:
    the same image and tag as runtime (the binary links the same libc), without the toolchain."""
    release = distro_release(build.base)
    if isinstance(release, str):
        return release
    key, _facts = release
    _family, tool = distribution(build.base)
    if not any(i.keyword in ("CMD", "ENTRYPOINT") for i in build.moves):
        return f"the file sets no command (the one of {build.base.text} is a shell): which binary runs cannot be told"
    go = [p for p in build.packages if _GO_PACKAGES.match(p)]
    if not go:
        return f"Go is not installed with the system's package manager on {build.base.text}: split by hand"
    trimmed = dataclasses.replace(build, packages=[p for p in build.packages if not _GO_PACKAGES.match(p)])
    kept, _left, why = distro_packages(trimmed, key, tool, model)
    if why:
        return why
    build.distro_release = (key, tool)
    read = files_read(model, build, (".go",))
    if isinstance(read, str):
        return read
    copies = [Copy(artifact)] + [Copy(p) for p in dict.fromkeys(read + _dotenv(model, build) + command_files(model, build))]
    why = uncovered_paths(build, copies)
    if why:
        return why
    message = (f"split into a build stage ({build.base.text} with {', '.join(go)}) and a runtime on the same image with only "
               f"the binary {artifact}" + (f" and {', '.join(c.path for c in copies[1:])}" if copies[1:] else "")
               + f"; the Go toolchain ({', '.join(go)}) stays in the build stage")
    return split_fix(model, build, runtime=build.base.text, copies=copies, message=message, runtime_packages=kept)


def _env(build) -> dict[str, str]:
    env = {}
    for ins in build.carried:
        if ins.keyword == "ENV":
            for k, v in ins.pairs:
                env[k] = v.strip("\"'")
    return env


# flags of `go build`/`go install` that take a value (`-tags netgo`, `-ldflags "-s -w"`)
_VALUE_FLAGS = {"-o", "-p", "-C", "-ldflags", "-gcflags", "-asmflags", "-gccgoflags", "-tags", "-mod", "-modfile",
                "-pkgdir", "-installsuffix", "-buildmode", "-compiler", "-overlay", "-pgo", "-toolexec", "-exec",
                "-covermode", "-coverpkg", "-coverprofile"}


def _outputs(model, build, ins, cmd) -> "list[str] | str":
    """The absolute paths of the binaries the `go build`/`go install` writes, or why they cannot be told.

    `go build` without `-o` writes one binary into its working directory, named after the package
    (the last element of its import path that is not a major version: the module path's for the
    module's root, the folder's below it), or after the first file of `go build main.go`;
    `go install` writes each main package it names to $GOBIN, else $GOPATH/bin (/go/bin).
    """
    if any(a is None for a in cmd.argv):
        return "the binary's path cannot be told: a word of the command is built from a variable (give `go build -o`)"
    argv = list(cmd.argv)
    verb = argv[1]
    cwd = build.workdir_at[id(ins)]
    out = None
    targets: list[str] = []
    i = 2
    while i < len(argv):
        a = argv[i]
        name, eq, value = a.partition("=")
        if a.startswith("-") and name.lstrip("-") and "-" + name.lstrip("-") in _VALUE_FLAGS:
            flag = "-" + name.lstrip("-")
            if not eq:
                if i + 1 >= len(argv):
                    return f"`{a}` has no value"
                value = argv[i + 1]
                i += 1
            if flag == "-o":
                out = value
            elif flag == "-C":
                cwd = posixpath.normpath(posixpath.join(cwd, value))
        elif a.startswith("-"):
            pass
        else:
            targets.append(a)
        i += 1
    if "$" in (out or "") or any("$" in t for t in targets):
        return "the binary's path cannot be told: it is named by a variable (give `go build -o` a plain path)"
    if out and not out.endswith("/"):
        absolute = posixpath.normpath(posixpath.join(cwd, out))
        if absolute in _GO_PATH or absolute == cwd or absolute in build.source_dirs:
            out = absolute + "/"  # an existing folder: the go command writes the binary into it
    files = _copied_files(model, build)
    env = _env(build)
    assignments = dict(a.split("=", 1) for a in cmd.assignments if "=" in a)
    if any(k in assignments or k in env for k in ("GOOS", "GOARCH")) and verb == "install":
        return "`go install` for another GOOS/GOARCH writes into a subfolder of bin/; give `go build -o`"
    if targets and all(t.endswith(".go") for t in targets):
        if verb == "install":
            return "`go install` of .go files needs GOBIN; give `go build -o`"
        name = posixpath.basename(targets[0])[:-3]
        return [_place(cwd, out, name)]
    if not targets:
        targets = ["."]
    names: list[str] = []
    for t in targets:
        if t.endswith("/...") or t == "...":
            if verb == "build" and out and not out.endswith("/"):
                return [_place(cwd, out, "")]  # the go command requires exactly one main package there
            if verb == "build" and not out:
                return f"`go build {t}` keeps no binary (without `-o`); give `go build -o`"
            if not t.startswith((".", "/")):
                return f"which main packages {t} holds cannot be told from the build context"
            root = posixpath.normpath(posixpath.join(cwd, t[:-len("/...")] or "."))
            found = _main_packages(files, root)
            if not found:
                return (f"no main package of {t} is found in the build context under {root}: the binaries "
                        f"`go {verb} {t}` writes cannot be told")
            names.extend(_package_name(model, files, d, _inited_modules(build)) for d in found)
        elif t.startswith((".", "/")):
            names.append(_package_name(model, files, posixpath.normpath(posixpath.join(cwd, t)), _inited_modules(build)))
        else:  # an import path (`app/server`, `example.com/x/cmd/y@v1.2.0`)
            names.append(_last_element(t.split("@", 1)[0]))
    if verb == "build":
        if len(names) > 1 and not (out and out.endswith("/")):
            return "`go build` of several packages keeps no binary; give `go build -o`"
        return [_place(cwd, out, n) for n in names]
    gobin = assignments.get("GOBIN") or env.get("GOBIN") or posixpath.join(
        assignments.get("GOPATH") or env.get("GOPATH") or ("/go" if distribution(build.base) is None else "/root/go"), "bin")
    if "$" in gobin or ":" in gobin:
        return "the folder `go install` writes to cannot be told"
    return [posixpath.join(gobin, n) for n in dict.fromkeys(names)]


def _inited_modules(build) -> dict:
    """Image folder -> the module path a `go mod init <path>` of the build gives the go.mod it writes there."""
    out = {}
    for ins, c in build.commands:
        if c.name == "go" and c.argv[1:3] == ("mod", "init") and len(c.argv) > 3 and c.argv[3] \
                and not c.argv[3].startswith("-"):
            out[build.workdir_at[id(ins)]] = c.argv[3]
    return out


def _place(cwd: str, out: str | None, name: str) -> str:
    if out is None:
        return posixpath.join(cwd, name)
    if out.endswith("/"):
        return posixpath.normpath(posixpath.join(cwd, out, name))
    return posixpath.normpath(posixpath.join(cwd, out))


def _last_element(path: str) -> str:
    parts = [p for p in path.rstrip("/").split("/") if p]
    if len(parts) > 1 and re.fullmatch(r"v\d+", parts[-1]):
        parts = parts[:-1]
    return parts[-1] if parts else "main"


def _copied_files(model, build) -> dict:
    """Image path -> the context file (a Path) of every file the stage copies from the build context (at most a few thousand)."""
    ctx = model.context
    out: dict[str, str] = {}
    if not ctx.known:
        return out
    for ins in build.stage.instructions:
        if ins.keyword not in ("COPY", "ADD") or ins.flag("from") is not None or ins.heredocs:
            continue
        args = list(ins.arguments)
        if len(args) < 2 or "$" in args[-1]:
            continue
        dest = posixpath.normpath(posixpath.join(build.workdir_at.get(id(ins)) or "/", args[-1]))
        into_dir = (args[-1].endswith("/") or args[-1] in (".", "..") or dest == build.workdir_at.get(id(ins)) or len(args) > 2
                    or any(c in a for a in args[:-1] for c in "*?[") or any(k.startswith(dest + "/") for k in out))
        for src in args[:-1]:
            rels = ctx.glob(src.lstrip("/")) if any(c in src for c in "*?[") else [
                posixpath.normpath(src.lstrip("/")) if src not in ("/", "./") else "."]
            for rel in rels:
                path = ctx.root / rel
                if path.is_dir():
                    for f in context_files(ctx, path, (".go", ".mod"), 3000):
                        out[posixpath.join(dest, f.relative_to(path).as_posix())] = f
                elif path.is_file() and not ctx.ignored(rel):
                    out[posixpath.join(dest, posixpath.basename(rel)) if into_dir else dest] = path
    return out


def _main_packages(files: dict, root: str) -> list[str]:
    """The image folders under `root` that hold a main package (as `./...` matches them)."""
    found: list[str] = []
    for image in sorted(files):
        if not image.endswith(".go") or image.endswith("_test.go"):
            continue
        folder = posixpath.dirname(image)
        if not (folder == root or folder.startswith(root.rstrip("/") + "/")):
            continue
        below = folder[len(root):].split("/")
        if any(p in ("vendor", "testdata") or p.startswith((".", "_")) for p in below if p):
            continue
        if folder in found:
            continue
        if re.search(r"(?m)^package\s+main\b", _read(files, image) or ""):
            found.append(folder)
    return found


def _read(files: dict, image: str) -> str | None:
    try:
        return files[image].read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _package_name(model, files: dict, folder: str, inited: dict | None = None) -> str:
    """The binary name of the package in the image folder `folder`: by its import path under the
    go.mod above it (or the module a `go mod init <path>` of the build made there), else (GOPATH
    mode) the folder's own name."""
    here = folder
    while True:
        if inited and here in inited:
            below = posixpath.relpath(folder, here)
            return _last_element(inited[here] + ("" if below == "." else "/" + below))
        mod = posixpath.join(here, "go.mod")
        if mod in files:
            m = re.search(r"^module\s+(\S+)", _read(files, mod) or "", re.M)
            if m:
                below = posixpath.relpath(folder, here)
                return _last_element(m.group(1).strip('"') + ("" if below == "." else "/" + below))
            break
        if here == "/":
            break
        here = posixpath.dirname(here)
    return posixpath.basename(folder) or "main"


# packages that put a C compiler on an Alpine image (cgo is on by default with one)
_COMPILERS = {"gcc", "build-base", "alpine-sdk", "clang", "g++", "tcc", "musl-gcc", "zig"}


def _alpine_without_compiler(build, env: dict[str, str]) -> bool:
    """The build runs on `golang:*-alpine` of Go 1.20 or later and installs no C compiler: the go
    command then turns cgo off by itself (it finds no `gcc`), and the binary is static."""
    tag = (build.base.tag or "").lower()
    if build.base.path.rsplit("/", 1)[-1] != "golang" or "alpine" not in tag:
        return False
    m = re.match(r"(\d+)\.(\d+)", tag)
    if m and (int(m.group(1)), int(m.group(2))) < (1, 20):
        return False  # older go commands keep cgo on and link the standard library's net against musl
    if not m and not tag.startswith("alpine"):
        return False
    if "CC" in env or "CGO_ENABLED" in env:
        return False
    for _, cmd in build.commands:
        if cmd.name in ("go",) and "CGO_ENABLED=1" in " ".join(a or "" for a in cmd.argv):
            return False  # go env -w CGO_ENABLED=1
        if any(a in _COMPILERS for a in cmd.argv[1:] if a):
            return False
        if any(a.startswith("CC=") for a in cmd.assignments):
            return False
    return True


def _musl_runtime(build, packages: list[str]) -> str:
    """The Alpine release a cgo build on `golang:*-alpine3.NN` links against (the runtime keeps musl
    and the same libraries), or `!` and why not."""
    tag = (build.base.tag or "").lower()
    why = ("a compiler is installed, so cgo is on" if any(a in _COMPILERS for _, c in build.commands for a in c.argv[1:] if a)
           else "the go command of this tag keeps cgo on" if re.match(r"1\.(1\d|[0-9])(\D|$)", tag)
           else "cgo is on")
    m = re.search(r"alpine(3\.\d+)", tag)
    if not m:
        return (f"!{why} and the binary links musl; the tag {build.base.text} does not name the Alpine release for a runtime "
                f"on the same musl: name it (`-alpine3.20`), or set CGO_ENABLED=0 if the program needs no cgo")
    if packages:
        return f"!{why} and the binary links musl and {', '.join(packages)}: split by hand"
    return f"alpine:{m.group(1)}"


def _dotenv(model, build) -> list[str]:
    """`<WORKDIR>/.env` where the source calls `godotenv.Load()` without a name (it reads `.env` from the
    working directory) and the build copies a `.env` of the context there."""
    ctx = model.context
    if not ctx.known:
        return []
    for src, dest in build.sources:
        if dest != build.workdir:
            continue
        rel = ".env" if src == "." else f"{src}/.env"
        if not ctx.exists(rel) or ctx.ignored(rel):
            continue
        root = ctx.root if src == "." else ctx.root / src
        for path in context_files(ctx, root, (".go",), 2000):
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if re.search(r"\bgodotenv\.(?:Load|Overload)\(\s*\)", text):
                return [posixpath.join(build.workdir, ".env")]
    return []


def _uses_cgo(model) -> bool:
    ctx = model.context
    if not ctx.known:
        return True
    for path in context_files(ctx, ctx.root, (".go",), 2000):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return True
        if re.search(r'^\s*import\s+"C"|^\s*"C"\s*$', text, re.M):
            return True
    return False


def _has_requirements(model) -> bool:
    text = model.context.read_text("go.mod")
    return text is None or bool(re.search(r"^\s*require\b", text, re.M))


def _cross_compiles(model, build, env: dict) -> bool:
    """Whether a static build can run on the build machine's platform and cross-compile for the target's.

    Only `go build` (a cross-compiled `go install` writes to bin/<os>_<arch>/), with nothing run on the
    build machine that the target's GOARCH would change (`go test`, `go run`, `go generate`), no GOOS or
    GOARCH of the file's own, and no --platform on the FROM already; not for the legacy builder.
    """
    if build.stage.platform or not getattr(model.options, "buildkit", True):
        return False
    if any(k in env for k in ("GOOS", "GOARCH", "GOARM")):
        return False
    for _, c in build.commands:
        if c.name != "go":
            continue
        if c.argv[1:2] not in (("build",), ("mod",), ("env",), ("version",), ("vet",)):
            return False
        if any(a.split("=", 1)[0] in ("GOOS", "GOARCH", "GOARM") for a in c.assignments):
            return False
    return True
