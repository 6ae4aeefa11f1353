from __future__ import annotations

import posixpath
import re

from ...engine.edits import InsertBefore
from ..split import command_files, STANDARD_PATH, Copy, context_files, SplitRule, files_read, native_runtime, program_path, runtime_packages, \
    split_fix, uncovered_paths, unknown_command, debian_suite

_GO_PATH = ("/go/bin", "/usr/local/go/bin") + STANDARD_PATH


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
    command needs a shell, a package or a user.

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

    def plan(self, model, build):
        builds = [(ins, c) for ins, c in build.commands if c.name == "go" and c.argv[1:2] in (("build",), ("install",))]
        if not builds:
            return "no `go build` or `go install` in a RUN: the Go split follows only those"
        why = unknown_command(build, {"go", "gofmt"})
        if why:
            return why
        ins, cmd = builds[-1]
        artifact = _output(model, build, ins, cmd)
        if artifact is None:
            return f"line {ins.start_line}: the binary's path cannot be told (give `go build -o`)"
        program = program_path(build, _GO_PATH, artifact)
        if program is None or program != artifact:
            return f"the command does not run the binary the build writes ({artifact})"
        packages, why = runtime_packages(build, debian_suite(build.base), model)
        if why:
            return why
        env = _env(build)
        assignments = " ".join(cmd.assignments)
        static = env.get("CGO_ENABLED") == "0" or "CGO_ENABLED=0" in assignments
        add_static = False
        if not static and env.get("CGO_ENABLED") != "1" and "CGO_ENABLED=1" not in assignments:
            if not _uses_cgo(model) and not _has_requirements(model):
                static = add_static = True
        if "alpine" in (build.base.tag or "") and not static:
            return "a cgo build on Alpine links musl: split by hand"
        runtime = native_runtime(build, packages, static=static)
        read = files_read(model, build, (".go",))
        if isinstance(read, str):
            return read
        copies = [Copy(artifact)] + [Copy(p) for p in dict.fromkeys(read + command_files(model, build))]
        if uncovered_paths(build, copies):
            return uncovered_paths(build, copies)
        runtime_env = []
        folder = posixpath.dirname(artifact)
        if "/" not in build.entry[0] and folder not in STANDARD_PATH:
            runtime_env.append(f'ENV PATH="{folder}:$PATH"')
        message = (f"split into a build stage ({build.base.text}) and a runtime on {runtime} with only the binary"
                   + (f" and {', '.join(c.path for c in copies[1:])}" if copies[1:] else "")
                   + ("; CGO_ENABLED=0 makes it static: no cgo is visible and the module has no dependencies" if add_static else ""))
        fix = split_fix(model, build, runtime=runtime, copies=copies, message=message, runtime_packages=packages,
                        runtime_env=runtime_env)
        if add_static:
            fix = type(fix)(fix.target, fix.message, fix.safety, fix.edits + (InsertBefore(ins, "ENV CGO_ENABLED=0", above_comments=False),))
        return fix


def _env(build) -> dict[str, str]:
    env = {}
    for ins in build.carried:
        if ins.keyword == "ENV":
            for k, v in ins.pairs:
                env[k] = v.strip("\"'")
    return env


def _output(model, build, ins, cmd) -> str | None:
    if any(a is None for a in cmd.argv):
        return None  # a word built from a variable
    argv = list(cmd.argv)
    cwd = build.workdir_at[id(ins)]
    if argv[1] == "install":
        targets = [a for a in argv[2:] if not a.startswith("-")]
        if len(targets) > 1:
            return None
        return posixpath.join("/go/bin", _package_name(model, targets[0] if targets else "."))
    for i, a in enumerate(argv):
        if a == "-o" and i + 1 < len(argv):
            out = argv[i + 1]
            if out.endswith("/") or "$" in out:
                return None
            return posixpath.normpath(posixpath.join(cwd, out))
        if a.startswith("-o="):
            return posixpath.normpath(posixpath.join(cwd, a[3:]))
    targets = [a for a in argv[2:] if not a.startswith("-")]
    if len(targets) > 1:
        return None
    return posixpath.join(cwd, _package_name(model, targets[0] if targets else "."))


def _package_name(model, target: str) -> str:
    target = target.rstrip("/")
    if target in (".", "./", ""):
        text = model.context.read_text("go.mod") or ""
        m = re.search(r"^module\s+(\S+)", text, re.M)
        return (m.group(1) if m else "main").rsplit("/", 1)[-1]
    return target.rsplit("/", 1)[-1].replace("...", "") or "main"


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
