from __future__ import annotations

import re

from ...engine.edits import InsertBefore
from ..split import Copy, SplitRule, app_dirs, slim_runtime, split_fix, uncovered_paths, unknown_command

VENV = "/opt/venv"
_TOOLS = {"pip", "pip3", "python", "python3", "poetry", "uv", "pipenv", "virtualenv"}
_BUILD_TOOLS = ("poetry", "pipenv", "uv", "pip", "pip3")
_OTHER_INSTALLERS = {"npm", "yarn", "pnpm", "npx", "gem", "bundle", "composer", "cargo", "go", "conda", "mamba", "make"}
_MANIFESTS = ("requirements*.txt", "poetry.lock", "Pipfile.lock", "uv.lock", "pyproject.toml", "Pipfile", "setup.cfg")


class PythonSplit(SplitRule):
    """
    ## What it does
    Splits a single-stage Python build (pip with requirements files or the
    project itself, Poetry, uv, Pipenv) in two. The original stage becomes the
    `build` stage: a virtual environment is created at `/opt/venv` before the
    first install, so every package lands there (uv keeps its project `.venv`);
    compilers and `-dev` packages stay in it. A runtime stage on the slim image
    of the same Python version copies the virtual environment and the
    application folder to the same paths, puts the environment first on
    `PATH`, installs only the shared libraries the compiled packages load
    (`libpq-dev` in the build → `libpq5` at run time, from a small mapping
    kept as data), and ends with the original configuration.

    ## Why
    `python:<v>` carries compilers and headers for building wheels (about
    1 GB); `python:<v>-slim` is a seventh of that. Build tools such as Poetry
    and Pipenv are not needed to run the application.

    ## Example
    ```dockerfile
    FROM python:3.11
    RUN apt-get update && apt-get install -y gcc libpq-dev
    WORKDIR /app
    COPY . .
    RUN pip install -r requirements.txt
    CMD ["gunicorn", "app:app"]
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11 AS build
    RUN apt-get update && apt-get install -y gcc libpq-dev
    WORKDIR /app
    COPY . .
    RUN python -m venv /opt/venv
    ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"
    RUN pip install -r requirements.txt

    FROM python:3.11-slim
    RUN apt-get update && apt-get install -y --no-install-recommends libpq5 \\
        && rm -rf /var/lib/apt/lists/*
    WORKDIR /app
    ENV PATH="/opt/venv/bin:$PATH"
    COPY --from=build /opt/venv /opt/venv
    COPY --from=build /app /app
    CMD ["gunicorn", "app:app"]
    ```

    ## Fix safety
    Review: the configuration is kept (`PATH` gains the environment), the
    application's folder and packages are copied whole, but the runtime image
    lacks the full image's tools and libraries. A package built from source
    against a library that is not in the mapping would fail to load: the rule
    declines for `-dev` packages it cannot map, and for installs with
    `--user`, `--target` or `--prefix`, commands that run Poetry, Pipenv or uv
    at start-up, and commands of the build that may write elsewhere.
    """

    code = "MS002"
    name = "split-python"
    title = "Split a Python build into a build stage and a slim runtime with a virtual environment"
    rationale = "Compilers and build tools stay in the build stage; the slim runtime gets the virtual environment and the application."
    ecosystem = "python"
    images = ("python",)

    def plan(self, model, build):
        installs = []
        for ins, cmd in build.commands:
            kind = _install(cmd)
            if kind is None:
                continue
            if isinstance(kind, str) and kind.startswith("!"):
                return f"line {ins.start_line}: {kind[1:]}"
            installs.append((ins, cmd, kind))
        if not installs:
            other = next(((i, c) for i, c in build.commands if c.name in _OTHER_INSTALLERS), None)
            return ("no pip, Poetry, Pipenv or uv install of the project's dependencies: the split has no packages to move"
                    + (f" (line {other[0].start_line} runs `{other[1].name}`, which the Python split does not follow)" if other else ""))
        why = unknown_command(build, _TOOLS)
        if why:
            return why
        for word in build.entry[:1]:
            if word in ("poetry", "pipenv", "uv"):
                return f"the command runs {word}, a build tool the runtime would not have"
        if build.entry_shell and any(t in (build.moves[0].original if build.moves else "") for t in ("poetry run", "pipenv run", "uv run")):
            return "the command runs a build tool the runtime would not have"
        slim = slim_runtime(model, build, "python", _MANIFESTS)
        if isinstance(slim, str):
            return slim
        runtime, packages = slim
        if runtime == build.base.text and not build.packages and not any(i[2] in ("poetry", "pipenv") for i in installs):
            return "the base is already slim and nothing would be left behind: a split would change nothing"
        system = [i for i in installs if i[2] != "uv"]
        if system and build.user is not None and build.stage.instructions.index(build.user) < build.stage.instructions.index(system[0][0]):
            return "the dependencies are installed as a non-root USER: a virtual environment made before it would not be writable"
        dirs = app_dirs(build)
        if not dirs:
            return "no source folder is copied into the image"
        copies = ([Copy(VENV)] if system else []) + [Copy(d, chown=build.chown) for d in dirs]
        why = uncovered_paths(build, copies)
        if why:
            return why
        fix = split_fix(model, build, runtime=runtime, copies=copies, runtime_packages=packages,
                        runtime_env=[f'ENV PATH="{VENV}/bin:$PATH"'] if system else [],
                        message=(f"split into a build stage ({build.base.text}"
                                 f"{' with the build tools' if runtime != build.base.text else ''}) and a "
                                 f"{runtime} runtime that copies {'the virtual environment and ' if system else ''}"
                                 f"{', '.join(dirs)}" + (f" and installs {', '.join(packages)}" if packages else "")))
        if system:
            first = _before_sources(build, system[0][0])
            venv = (f"RUN python -m venv {VENV}\n"
                    f'ENV VIRTUAL_ENV={VENV} PATH="{VENV}/bin:$PATH"')
            fix = type(fix)(fix.target, fix.message, fix.safety, fix.edits + (InsertBefore(first, venv, above_comments=False),))
        return fix


def _before_sources(build, install):
    """Where the virtual environment is made: before the first source copy that precedes the install."""
    for ins in build.stage.instructions:
        if ins is install:
            return install
        if ins.keyword in ("COPY", "ADD"):
            return ins
    return install


def _install(cmd):
    """'pip', 'poetry', 'pipenv' or 'uv' for a dependency install, '!reason' to decline, None otherwise."""
    argv = [a or "" for a in cmd.argv]
    name = cmd.name
    args = argv[1:]
    if name in ("python", "python3") and args[:2] == ["-m", "pip"]:
        name, args = "pip", args[2:]
    if name in ("pip", "pip3") and args[:1] == ["install"]:
        named = [a for a in args[1:] if not a.startswith("-")]
        tools = {"pip", "setuptools", "wheel", "poetry", "pipenv", "uv", "virtualenv"}
        if named and all(re.split(r"[<>=!~\[]", a)[0].lower() in tools for a in named) and "-r" not in args:
            return None  # the package manager itself
        for flag in ("--user", "--target", "-t", "--prefix", "--root"):
            if flag in args or any(a.startswith(flag + "=") for a in args):
                return f"!pip install {flag} puts packages outside a virtual environment; split by hand"
        return "pip"
    if name == "poetry" and args[:1] == ["install"]:
        return "poetry"
    if name == "pipenv" and args[:1] in (["install"], ["sync"]):
        return "pipenv"
    if name == "uv" and args[:1] == ["sync"]:
        return "uv"
    if name == "uv" and args[:2] == ["pip", "install"]:
        return "pip" if "--system" in args else "uv"
    return None
