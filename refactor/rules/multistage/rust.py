from __future__ import annotations

import posixpath

from ..split import command_files, STANDARD_PATH, Copy, SplitRule, debian_suite, files_read, native_runtime, program_path, \
    runtime_packages, split_fix, uncovered_paths, unknown_command

_CARGO_BIN = "/usr/local/cargo/bin"


class RustSplit(SplitRule):
    """
    ## What it does
    Splits a single-stage Rust build: the original stage runs `cargo build
    --release` (the `build` stage), and a runtime stage holds only the release
    binary, at the same path, with the context files its source names in
    string literals. The runtime is `gcr.io/distroless/cc` (glibc and the C
    runtime libraries), or a Debian slim image when the command needs a shell,
    a package (`libssl-dev` in the build → the matching `libssl3`) or a user.

    ## Why
    The `rust` image is well over 1 GB of toolchain; a release binary needs a
    C library and little else.

    ## Example
    ```dockerfile
    FROM rust:1.78
    WORKDIR /usr/src/server
    COPY . .
    RUN cargo build --release
    CMD ["./target/release/server"]
    ```

    ## Use instead
    ```dockerfile
    FROM rust:1.78 AS build
    WORKDIR /usr/src/server
    COPY . .
    RUN cargo build --release

    FROM gcr.io/distroless/cc-debian13
    WORKDIR /usr/src/server
    COPY --from=build /usr/src/server/target/release/server /usr/src/server/target/release/server
    CMD ["./target/release/server"]
    ```

    ## Fix safety
    Review: the configuration is kept; a file the program opens by a name it
    builds at run time would be missing. Dependencies are not cached in a
    separate layer (that needs a dummy-source step this rule does not write).
    The rule declines when the command does not run the binary cargo writes,
    when `CARGO_TARGET_DIR` or `--target` moves it, and for commands of the
    build it does not know.
    """

    code = "MS004"
    name = "split-rust"
    title = "Split a Rust build into a compile stage and a minimal runtime"
    rationale = "The runtime needs the release binary, not the Rust toolchain and the target folder."
    ecosystem = "rust"
    images = ("rust",)

    def plan(self, model, build):
        builds = [(ins, c) for ins, c in build.commands if c.name == "cargo" and c.argv[1:2] in (("build",), ("install",))]
        if not builds:
            return "no `cargo build` or `cargo install` in a RUN: the Rust split follows only those"
        why = unknown_command(build, {"cargo", "rustup", "rustc"})
        if why:
            return why
        if any(k == "CARGO_TARGET_DIR" for ins in build.carried for k, _ in ins.pairs):
            return "CARGO_TARGET_DIR moves the binary; split by hand"
        ins, cmd = builds[-1]
        argv = [a or "" for a in cmd.argv]
        if any(a == "--target" or a.startswith("--target=") for a in argv):
            return "a --target build writes elsewhere; split by hand"
        cwd = build.workdir_at[id(ins)]
        if argv[1] == "build":
            if "--release" not in argv and "-r" not in argv:
                return "a debug build (no --release); split by hand"
            folder = posixpath.join(cwd, "target", "release")
        else:
            folder = _CARGO_BIN
        name = build.entry[0].rsplit("/", 1)[-1] if build.entry else ""
        program = program_path(build, (_CARGO_BIN,) + STANDARD_PATH, posixpath.join(folder, name))
        if program is None or posixpath.dirname(program) != folder:
            return f"the command does not run a binary cargo writes to {folder}"
        name = posixpath.basename(program)
        bins = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--bin"]
        if bins and name not in bins:
            return f"the command runs {name}, not the binary built ({', '.join(bins)})"
        packages, why = runtime_packages(build, debian_suite(build.base), model)
        if why:
            return why
        runtime = native_runtime(build, packages, static=False)
        read = files_read(model, build, (".rs",))
        if isinstance(read, str):
            return read
        copies = [Copy(program)] + [Copy(p) for p in dict.fromkeys(read + command_files(model, build))]
        why = uncovered_paths(build, copies)
        if why:
            return why
        env = [f'ENV PATH="{_CARGO_BIN}:$PATH"'] if folder == _CARGO_BIN and "/" not in build.entry[0] else []
        message = (f"split into a build stage ({build.base.text}) and a runtime on {runtime} with only the release binary"
                   + (f" and {', '.join(c.path for c in copies[1:])}" if copies[1:] else ""))
        return split_fix(model, build, runtime=runtime, copies=copies, message=message, runtime_packages=packages,
                         runtime_env=env)
