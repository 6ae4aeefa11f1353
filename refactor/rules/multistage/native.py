from __future__ import annotations

import re

from ...model.images import image_facts
from ..split import command_files, distro_language, STANDARD_PATH, Copy, SplitRule, debian_suite, files_read, native_runtime, program_path, \
    runtime_packages, split_fix, uncovered_paths, unknown_command

_BUILD = {"make", "cmake", "gcc", "g++", "cc", "c++", "clang", "clang++", "ninja", "meson", "autoreconf", "./configure",
          "configure", "strip"}
_COMPILERS = {"gcc", "g++", "build-essential", "clang", "cmake", "make"}


class NativeSplit(SplitRule):
    """
    ## What it does
    Splits a single-stage C or C++ build (make, CMake, a compiler called
    directly) whose command runs a program the build wrote inside the source
    folder: the original stage compiles (the `build` stage), and a runtime
    stage holds that program at the same path, with the context files its
    source names in string literals, on `gcr.io/distroless/cc` (or a Debian
    slim image where the command needs a shell, a package or a user). Runtime
    libraries of `-dev` packages the build installed are installed by name
    (`libpq-dev` → `libpq5`).

    ## Why
    Compilers, headers and object files are hundreds of megabytes the program
    never uses.

    ## Example
    ```dockerfile
    FROM gcc:13
    WORKDIR /opt/greeter
    COPY . .
    RUN make
    CMD ["./bin/greeter"]
    ```

    ## Use instead
    ```dockerfile
    FROM gcc:13 AS build
    WORKDIR /opt/greeter
    COPY . .
    RUN make

    FROM gcr.io/distroless/cc-debian13
    WORKDIR /opt/greeter
    COPY --from=build /opt/greeter/bin/greeter /opt/greeter/bin/greeter
    CMD ["./bin/greeter"]
    ```

    ## Fix safety
    Review: the configuration is kept; a shared library the program links
    that came with the build image (and no `-dev` package names it) would be
    missing, as would files it opens by names built at run time. The rule
    declines when the command does not run a program inside the source
    folder, for `make install`, and for commands of the build it does not know.
    """

    code = "MS010"
    name = "split-native"
    title = "Split a C/C++ build into a compile stage and a minimal runtime"
    rationale = "The runtime needs the program and the libraries it links, not the compilers and object files."
    ecosystem = "c"

    def owns(self, model) -> bool:
        stage = model.stages[0]
        ref = model.base_image(stage)
        key = ref.path.rsplit("/", 1)[-1]
        if key == "gcc":
            return True
        if image_facts(ref).family not in ("debian", "ubuntu") or key not in ("debian", "ubuntu"):
            return False
        if distro_language(model)[0] is not None:
            return False  # the language's split takes it
        text = " ".join(i.original for i in stage.instructions if i.keyword == "RUN")
        return bool(re.search(r"\b(build-essential|g\+\+|gcc|cmake)\b", text)) and bool(re.search(r"\b(make|cmake|gcc|g\+\+)\b", text))

    def plan(self, model, build):
        builds = [(ins, c) for ins, c in build.commands if c.name in _BUILD]
        if not builds:
            return "no make, cmake, compiler or configure step in a RUN: the C/C++ split follows only those"
        if any(c.name == "make" and "install" in c.argv for _, c in builds) or any(
                c.name == "cmake" and "--install" in c.argv for _, c in builds):
            return "`make install` spreads files over the image; split by hand"
        why = unknown_command(build, _BUILD)
        if why:
            return why
        program = program_path(build, ())
        if program is None:
            return "the command does not name the program by its path"
        if not any(program.startswith(d.rstrip("/") + "/") for d in build.source_dirs):
            return f"the command runs {program}, which is not inside the source folder the build writes to"
        key = build.base.path.rsplit("/", 1)[-1]
        if key == "gcc":
            major = re.match(r"(\d+)", build.base.tag or "")
            cxx = any(c.name in ("g++", "c++", "cmake") for _, c in builds) or model.context.glob("*.cpp") or model.context.glob("CMakeLists.txt")
            if major and int(major.group(1)) > 14 and cxx:
                return f"C++ built with gcc {major.group(1)} needs its libstdc++, newer than any Debian runtime's"
        packages, why = runtime_packages(build, debian_suite(build.base), model)
        if why:
            return why
        runtime = native_runtime(build, packages, static=False)
        if key == "ubuntu":
            runtime = build.base.text if runtime.startswith("debian:") else runtime
        read = files_read(model, build, (".c", ".cc", ".cpp", ".cxx", ".h", ".hpp"))
        if isinstance(read, str):
            return read
        copies = [Copy(program)] + [Copy(p) for p in dict.fromkeys(read + command_files(model, build))]
        why = uncovered_paths(build, copies)
        if why:
            return why
        message = (f"split into a build stage ({build.base.text} with the compilers) and a runtime on {runtime} with only "
                   f"{program}" + (f" and {', '.join(c.path for c in copies[1:])}" if copies[1:] else ""))
        return split_fix(model, build, runtime=runtime, copies=copies, message=message, runtime_packages=packages)


__all__ = ["NativeSplit", "STANDARD_PATH"]
