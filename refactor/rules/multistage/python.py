from __future__ import annotations

import posixpath
import re

from ...syntax.edits import InsertBefore
from ..split import Copy, SplitRule, app_dirs, context_copies, folder_apart_reason, slim_runtime, split_fix, uncovered_paths, unknown_command
from ..split.runtime import distribution, distro_data, distro_release, distro_runtime

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
    of the same Python version copies the virtual environment, in a layer of
    its own, and then the application folder to the same paths (uv's project
    `.venv`, inside the application folder, first too, then the source from
    the build context, unless a step after the source copy may write elsewhere),
    puts the environment first on
    `PATH`, installs only the shared libraries the compiled packages load
    (`libpq-dev` in the build → `libpq5` at run time, from a small mapping
    kept as data), and ends with the original configuration.

    On a plain distribution image (debian, ubuntu, alpine, the RHEL family)
    that installs Python with its package manager, both stages keep that
    image and tag: the runtime installs only the release's `python3` and the
    runtime libraries of the `-dev`/`-devel` packages (per release, from
    `refactor/data/distro_packages.toml`), and gets the packages from where
    pip wrote them: the file's own virtual environment, `/root/.local` for
    `--user`, else the release's install prefix (`/usr/local/lib/python3.X/
    dist-packages` and `/usr/local/bin` on Debian and Ubuntu).

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
    at start-up, and commands of the build that may write elsewhere. On a
    distribution image it declines where the release's Python refuses the
    install (PEP 668, without `--break-system-packages`), where the file sets
    no command, and on Alpine where the command runs a script that may call
    console scripts pip wrote among the system's programs in /usr/bin.
    """

    code = "MS002"
    name = "split-python"
    title = "Split a Python build into a build stage and a slim runtime with a virtual environment"
    rationale = "Compilers and build tools stay in the build stage; the slim runtime gets the virtual environment and the application."
    ecosystem = "python"
    images = ("python",)
    distro = True

    def plan(self, model, build):
        if distribution(build.base) is not None:
            return _plan_distro(self, model, build)
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
        why = _downloads(build) or unknown_command(build, _TOOLS | set(_FETCHERS))
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
        if re.match(r"2(\.|$)", build.base.tag or ""):
            return (f"{build.base.text} is Python 2, which has no venv module: the split's virtual environment needs "
                    f"Python 3; split by hand")
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
        venv_note = ""
        if not system:
            apart = _project_venv_apart(model, build, installs, dirs)
            if isinstance(apart, str):
                venv_note = f"; .venv is not copied apart from the application folder: {apart}"
            else:
                copies = apart
                venv_note = "; the project's .venv first, in a layer of its own, then the source from the build context"
        fix = split_fix(model, build, runtime=runtime, copies=copies, runtime_packages=packages,
                        runtime_env=[f'ENV PATH="{VENV}/bin:$PATH"'] if system else [],
                        message=(f"split into a build stage ({build.base.text}"
                                 f"{' with the build tools' if runtime != build.base.text else ''}) and a "
                                 f"{runtime} runtime that copies {'the virtual environment and ' if system else ''}"
                                 f"{', '.join(dirs)}" + (f" and installs {', '.join(packages)}" if packages else "")
                                 + venv_note))
        if system:
            first = _before_sources(build, system[0][0])
            venv = (f"RUN python -m venv {VENV}\n"
                    f'ENV VIRTUAL_ENV={VENV} PATH="{VENV}/bin:$PATH"')
            fix = type(fix)(fix.target, fix.message, fix.safety, fix.edits + (InsertBefore(first, venv, above_comments=False),))
        return fix


def _project_venv_apart(model, build, installs, dirs) -> "list[Copy] | str":
    """The runtime's copies with uv's project environment (`.venv` of the folder `uv sync` runs in)
    in a layer of its own before the application's files, each entry of the source folder by name;
    why not."""
    cwds = {build.workdir_at[id(ins)] for ins, _, _ in installs}
    if len(cwds) != 1 or cwds != {d for d in dirs if d in cwds}:
        return "uv installs in another folder than the one the source is copied to"
    appdir = cwds.pop()
    if any(k == "UV_PROJECT_ENVIRONMENT" for ins in build.carried if ins.keyword == "ENV" for k, _ in ins.pairs):
        return "UV_PROJECT_ENVIRONMENT moves the environment"
    why = folder_apart_reason(model, build, appdir, ".venv", "a .venv", lambda name: name in (
        "uv", "rm", "true", "echo", "apt-get", "apt", "apk"))
    if why:
        return why
    sources = context_copies(model, build, {".venv"}, {"pyproject.toml", "uv.lock", ".python-version", "README.md"})
    if isinstance(sources, str):
        return sources
    return [Copy(posixpath.join(appdir, ".venv"))] + sources


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


_PY3_PACKAGES = {"python3", "python3-pip", "py3-pip", "python3-dev", "python3-venv", "python3-minimal", "python36", "python39"}
_PY2_PACKAGES = {"python", "python2", "python-pip", "py2-pip", "py-pip", "python-dev", "python2-dev"}


def _plan_distro(rule, model, build):
    """The split of a Python app on a plain distribution image that installs Python with the
    system's package manager: the same image and tag in both stages, the packages pip installed
    copied from where it wrote them."""
    family, tool = distribution(build.base)
    release = distro_release(build.base)
    if isinstance(release, str):
        return release
    key, facts = release
    if not any(i.keyword in ("CMD", "ENTRYPOINT") for i in build.moves):
        return (f"the file sets no command (the one of {build.base.text} is a shell): what runs in the image, and so which "
                f"of its packages and scripts it needs, cannot be told; split by hand")
    py3 = any(p in _PY3_PACKAGES for p in build.packages)
    py2 = any(p in _PY2_PACKAGES for p in build.packages)
    if py3 and py2:
        return "both Python 2 and Python 3 are installed: which one pip installs for cannot be told; split by hand"
    if not py3 and not py2:
        return f"Python is not installed with the system's package manager on {build.base.text}: the split has no interpreter to keep"
    major = "python3" if py3 else "python2"
    version = facts.get(major)
    if version is None:
        return f"{key} has no {major} package (refactor/data/distro_packages.toml)"
    venvs: list[str] = []
    installs = []  # (instruction, kind) kind: "venv", "user", "system"
    breaks = any(k == "PIP_BREAK_SYSTEM_PACKAGES" for ins in build.carried if ins.keyword == "ENV" for k, _ in ins.pairs)
    for ins, cmd in build.commands:
        argv = [a or "" for a in cmd.argv]
        workdir = build.workdir_at.get(id(ins), build.workdir)
        if _is_python(cmd.name) and argv[1:3] == ["-m", "venv"] or cmd.name == "virtualenv":
            target = next((a for a in reversed(argv[1:]) if not a.startswith("-") and a != "venv"), None)
            if not target or "$" in target:
                return f"line {ins.start_line}: the virtual environment's folder cannot be told"
            venvs.append(posixpath.normpath(posixpath.join(workdir, target)))
            continue
        pip = _pip_args(cmd)
        if pip is None:
            continue
        if pip[:1] != ["install"]:
            continue
        for flag in ("--target", "-t", "--prefix", "--root"):
            if flag in pip or any(a.startswith(flag + "=") for a in pip):
                return f"line {ins.start_line}: pip install {flag} puts packages where the split does not look; split by hand"
        if "/" in cmd.name and any(cmd.name.startswith(v.rstrip("/") + "/bin/") for v in venvs):
            installs.append((ins, "venv"))
        elif venvs and _venv_on_path(build, venvs):
            installs.append((ins, "venv"))
        elif "--user" in pip:
            installs.append((ins, "user"))
        else:
            installs.append((ins, "system"))
        if installs[-1][1] != "venv" and facts.get("pep668") and major == "python3" \
                and "--break-system-packages" not in pip and not breaks:
            return (f"line {ins.start_line}: {key.replace(':', ' ')}'s Python is externally managed (PEP 668): this pip install "
                    f"fails there without --break-system-packages or a virtual environment, so the original does not build; "
                    f"fix it first")
    if not installs or all(_only_tools(c) for _, c in build.commands if _pip_args(c) and _pip_args(c)[:1] == ["install"]):
        return "no pip install of the application's packages: the split has no packages to move"
    if build.user is not None and any(build.stage.instructions.index(build.user) < build.stage.instructions.index(i) for i, _ in installs):
        return "the packages are installed as a non-root USER: where pip wrote them depends on that user's home; split by hand"
    why = _downloads(build)
    if why:
        return why
    links = _python_links(build)
    why = unknown_command(build, _TOOLS | {"pip2", "python2", "curl", "wget", "tar", "dnf", "yum", "microdnf"}
                          | ({"update-alternatives"} if links else set()) | {c.name for _, c in build.commands if _pip_args(c) is not None or _is_python(c.name)})
    if why:
        return why
    language = "python3" if major == "python3" else next((p for p in ("python2", "python") if p in build.packages),
                                                          "python" if key in ("debian:jessie", "debian:stretch", "debian:buster", "ubuntu:16.04", "ubuntu:18.04") else "python2")
    runtime = distro_runtime(model, build, language, tool, key)
    if isinstance(runtime, str):
        return runtime
    image, packages = runtime
    if tool in ("apt", "dnf") and {k for _, k in installs} - {"venv"} and ("python3-pip" in build.packages or "python-pip" in build.packages):
        # the distribution's pip brings setuptools (pkg_resources), which programs import at run time
        tools = "python3-setuptools" if major == "python3" else "python-setuptools"
        if tools not in packages:
            packages.append(tools)
    left = [p for p in build.packages if p not in packages]
    if not left:
        return f"every package the build installs is needed at run time: a runtime stage on {image} would leave nothing behind"
    kinds = {k for _, k in installs}
    copies: list[Copy] = []
    said: list[str] = []
    steps: list[str] = []
    if "venv" in kinds:
        copies += [Copy(v) for v in venvs]
        said.append("the virtual environment")
    if "user" in kinds:
        copies.append(Copy("/root/.local"))
        said.append("/root/.local (pip install --user)")
    if "system" in kinds:
        prefix = distro_data()["pip-prefix"][family]
        paths = [p.format(v=version) for p in prefix["paths"]]
        copies += [Copy(p) for p in paths]
        if family == "rhel":
            steps.append(f"RUN mkdir -p {' '.join(paths)}")
        scripts = prefix["scripts"]
        if scripts == "/usr/bin":
            named = _console_script(model, build, packages)
            if isinstance(named, str) and named.startswith("!"):
                return named[1:]
            if named:
                copies.append(Copy(f"/usr/bin/{named}"))
            said += paths + ([f"/usr/bin/{named} (the console script the command runs)"] if named else [])
        else:
            copies.append(Copy(scripts))
            shown = list(paths)
            if family == "rhel":
                shown[-1] += " (both made in the build stage, where pip may write only one)"
            said += shown + [f"{scripts} (whole: on {image} nothing else lives there)"]
    dirs = app_dirs(build)
    copies += [Copy(d, chown=build.chown) for d in dirs if not any(d == c.path or d.startswith(c.path.rstrip("/") + "/") for c in copies)]
    build.file_paths = [p for p in build.file_paths if not p.endswith("/EXTERNALLY-MANAGED")]
    why = uncovered_paths(build, copies)
    if why:
        return why
    items = said + dirs
    message = (f"split into a build stage ({build.base.text} with the build tools) and a runtime on the same {image} that installs "
               f"{', '.join(packages)} and copies {', '.join(items[:-1]) + ' and ' if len(items) > 1 else ''}{items[-1]}")
    if links:
        message += f"; the runtime makes {', '.join(p for p, _ in links)} again, as the build did"
    return split_fix(model, build, runtime=image, copies=copies, runtime_packages=packages, builder_steps=steps,
                     runtime_steps=[f"RUN {' && '.join(c for _, c in links)}"] if links else [],
                     message=message)


def _python_links(build) -> list:
    """`ln -s /usr/bin/python3 /usr/bin/python`, `update-alternatives --install /usr/bin/python python
    /usr/bin/python3 10`: links to the interpreter in a system bin folder, which the runtime stage makes
    again (the package install there does not); [(link, command)]. Their paths leave build.file_paths."""
    out = []
    read = set()  # what a symbolic link points to is not changed
    for ins, cmd in build.commands:
        argv = [a or "" for a in cmd.argv]
        if cmd.name == "ln" and any(a.startswith("-") and "s" in a for a in argv[1:]):
            paths = [a for a in argv[1:] if not a.startswith("-")]
            if len(paths) == 2 and paths[0].startswith("/"):
                read.add(posixpath.normpath(paths[0]))
            if len(paths) == 2 and _is_python(paths[0]) and paths[0].startswith("/") and paths[1].startswith(_SYSTEM_BINS):
                out.append((paths[1], " ".join(argv)))
        elif cmd.name == "update-alternatives" and argv[1:2] == ["--install"] and len(argv) == 6 \
                and _is_python(argv[4]) and argv[2].startswith(_SYSTEM_BINS) and argv[5].isdigit():
            out.append((argv[2], " ".join(argv)))
    made = {p for p, _ in out} | read
    build.file_paths = [p for p in build.file_paths if p not in made]
    return out


_SYSTEM_BINS = ("/usr/bin/", "/bin/", "/usr/local/bin/")


def _only_tools(cmd) -> bool:
    """`pip install --upgrade pip setuptools`: the package manager itself, not the application's packages."""
    args = _pip_args(cmd)[1:]
    named = [a for a in args if not a.startswith("-")]
    tools = {"pip", "setuptools", "wheel", "virtualenv"}
    return bool(named) and "-r" not in args and all(re.split(r"[<>=!~\[]", a)[0].lower() in tools for a in named)


def _is_python(name) -> bool:
    return bool(name) and re.fullmatch(r"python(\d(\.\d+)?)?", name.rsplit("/", 1)[-1]) is not None


def _pip_args(cmd):
    """The pip arguments of a pip command (`pip3 install …`, `python3 -m pip install …`, `/opt/venv/bin/pip …`), else None."""
    argv = [a or "" for a in cmd.argv]
    name = (cmd.name or "").rsplit("/", 1)[-1]
    if re.fullmatch(r"pip(\d(\.\d+)?)?", name):
        return argv[1:]
    if _is_python(cmd.name) and argv[1:3] == ["-m", "pip"]:
        return argv[3:]
    return None


def _venv_on_path(build, venvs) -> bool:
    """A carried ENV puts one of the virtual environments first on PATH (so `pip` is its pip)."""
    for ins in build.carried:
        if ins.keyword != "ENV":
            continue
        for k, v in ins.pairs:
            if k == "PATH" and any(v.strip("\"'").startswith(venv.rstrip("/") + "/bin") for venv in venvs):
                return True
    return False


def _console_script(model, build, packages):
    """On Alpine pip writes console scripts to /usr/bin among the system's programs: the one the
    command runs (`gunicorn`), None when it runs Python itself, '!reason' when it cannot be told."""
    words = list(build.entry)
    if not words:
        for ins in build.moves:
            if ins.keyword in ("CMD", "ENTRYPOINT") and ins.arguments:
                words = re.findall(r"[^\s\"'\[\],]+", " ".join(ins.arguments))[:1] if not ins.is_exec_form else list(ins.arguments)
                if ins.keyword == "ENTRYPOINT":
                    break
    if not words:
        return None
    program = words[0]
    if _is_python(program) or program.startswith(("/", "./")) or "$" in program:
        if program.startswith(("./", "/")) and program.endswith(".sh"):
            return f"!the command runs {program}, which may run console scripts pip wrote to /usr/bin among the system's programs; split by hand"
        return None
    if program in packages or program in ("sh", "bash"):
        return None
    return program


_FETCHERS = {"curl": ("-o", "--output"), "wget": ("-O", "--output-document", "-P", "--directory-prefix"), "tar": ("-C", "--directory")}


def _downloads(build):
    """Why the split declines a `curl`/`wget`/`tar` of the build: where it writes cannot be told, or lies
    outside what the runtime gets and is not removed; None when every one is followed."""
    removed = set()
    for ins, cmd in build.commands:
        if cmd.name == "rm":
            workdir = build.workdir_at.get(id(ins), build.workdir)
            removed |= {posixpath.normpath(posixpath.join(workdir, a or "")) for a in cmd.argv[1:] if a and not a.startswith("-")}
    fetched = set()
    for n, (ins, cmd) in enumerate(build.commands):
        name = cmd.name
        if name not in _FETCHERS:
            continue
        argv = [a or "" for a in cmd.argv]
        nxt = build.commands[n + 1][1] if n + 1 < len(build.commands) and build.commands[n + 1][0] is ins else None
        if name == "curl" and nxt is not None and nxt.connector == "|" and _is_python(nxt.name) \
                and any(a.rstrip("/").endswith("get-pip.py") for a in argv):
            continue  # get-pip.py installs pip where pip installs everything else
        target = None
        for i, a in enumerate(argv[1:], start=1):
            for flag in _FETCHERS[name]:
                if a == flag and i + 1 < len(argv):
                    target = argv[i + 1]
                elif a.startswith(flag + "=") and flag.startswith("--"):
                    target = a.split("=", 1)[1]
                elif a.startswith(flag) and len(flag) == 2 and len(a) > 2 and not a.startswith("--"):
                    target = a[2:]
        if name == "tar" and target is None and not any(x in a for a in argv[1:2] for x in ("x",)):
            continue  # creating or listing an archive writes nothing the runtime misses
        if target is None:
            if name == "curl" and (cmd.redirects or nxt is not None and nxt.connector == "|"):
                return f"line {ins.start_line}: curl's download goes to {' '.join(cmd.redirects) or 'another command'}, which the split does not follow; split by hand"
            if name == "curl" and "-O" not in argv and "--remote-name" not in argv:
                continue  # printed to the build log
            return f"line {ins.start_line}: `{name}` writes into the folder it runs in, which the split may not copy; split by hand"
        if "$" in target:
            return f"line {ins.start_line}: where `{name}` writes ({target}) is named by a variable; split by hand"
        workdir = build.workdir_at.get(id(ins), build.workdir)
        path = posixpath.normpath(posixpath.join(workdir, target))
        fetched.add(path)
        if path not in removed:
            build.file_paths.append(path)
    # a download removed again is in neither image
    build.file_paths = [p for p in build.file_paths if not (p in removed and p in fetched)]
    return None
