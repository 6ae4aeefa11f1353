"""Dependency installs: which commands install a project's dependencies, and from which files.

`dependency_install(command)` recognises an install command and says which
manifest files it reads, whether it needs the project's source as well, and
(where the tool has one) the variant that installs the dependencies alone.
Paths are relative to the directory the command runs in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .context import BuildContext
from .shell import Command

__all__ = ["Install", "dependency_install"]


@dataclass(frozen=True)
class Install:
    tool: str  # npm, yarn, pnpm, pip, poetry, uv, pipenv, go, bundler, composer, maven, dotnet
    manifests: tuple[str, ...]  # files it reads, that exist (relative to the command's directory)
    needs_source: bool  # it also builds or installs the project itself
    deps_only: str | None = None  # a command installing the dependencies alone, where needs_source
    note: str | None = None  # why the dependencies cannot be installed apart, where no deps_only


_NPM_FILES = ("package.json", "package-lock.json", "npm-shrinkwrap.json", ".npmrc")
_YARN_FILES = ("package.json", "yarn.lock", ".yarnrc", ".yarnrc.yml", ".npmrc")
_PNPM_FILES = ("package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", ".npmrc")


def _existing(ctx: BuildContext, base: str, names) -> tuple[str, ...]:
    return tuple(n for n in names if ctx.exists(_join(base, n)))


def _join(base: str, name: str) -> str:
    return name if base in ("", ".") else f"{base.rstrip('/')}/{name}"


def dependency_install(cmd: Command, ctx: BuildContext, base: str) -> Install | None:
    """The install `cmd` performs, with manifests looked up in the context folder `base`."""
    argv = cmd.argv
    if not argv or any(a is None for a in argv):
        return None
    name = cmd.name
    args = list(argv[1:])
    if name in ("python", "python3") and args[:2] == ["-m", "pip"]:
        name, args = "pip", args[2:]
    if name in ("npm",) and args and args[0] in ("ci", "install", "i") and not _positional(args[1:]):
        return Install("npm", _existing(ctx, base, _NPM_FILES), False)
    if name == "yarn" and (not args or (args[0] == "install" and not _positional(args[1:]))):
        return Install("yarn", _existing(ctx, base, _YARN_FILES), False)
    if name == "pnpm" and args and args[0] in ("install", "i") and not _positional(args[1:]):
        return Install("pnpm", _existing(ctx, base, _PNPM_FILES), False)
    if name in ("pip", "pip3") and args and args[0] == "install":
        return _pip(args[1:], ctx, base)
    if name == "poetry" and args and args[0] == "install":
        files = _existing(ctx, base, ("pyproject.toml", "poetry.lock", "poetry.toml"))
        if "--no-root" in args or "--only-root" in args:
            return Install("poetry", files, "--only-root" in args)
        return Install("poetry", files, True, _as_written(cmd, "--no-root"))
    if name == "uv" and args and args[0] == "sync":
        files = _existing(ctx, base, ("pyproject.toml", "uv.lock", ".python-version"))
        if "--no-install-project" in args:
            return Install("uv", files, False)
        return Install("uv", files, True, _as_written(cmd, "--no-install-project"))
    if name == "pipenv" and args and args[0] in ("install", "sync") and not _positional(args[1:]):
        return Install("pipenv", _existing(ctx, base, ("Pipfile", "Pipfile.lock")), False)
    if name == "go" and args[:2] == ["mod", "download"]:
        return Install("go", _existing(ctx, base, ("go.mod", "go.sum")), False)
    if name == "bundle" and (not args or args[0] == "install"):
        return Install("bundler", _existing(ctx, base, ("Gemfile", "Gemfile.lock", ".bundle/config")), False)
    if name == "composer" and args and args[0] == "install" and "--no-scripts" in args and "--no-autoloader" in args:
        return Install("composer", _existing(ctx, base, ("composer.json", "composer.lock", "auth.json")), False)
    if name == "dotnet" and args and args[0] == "restore":
        files = tuple(f.split("/", 1)[1] if base not in ("", ".") else f
                      for f in ctx.glob(_join(base, "*.csproj")) + ctx.glob(_join(base, "*.sln"))
                      + ctx.glob(_join(base, "*.fsproj")))
        files += _existing(ctx, base, ("nuget.config", "NuGet.Config", "Directory.Build.props", "Directory.Packages.props", "global.json"))
        return Install("dotnet", files, False)
    if name in ("mvn", "mvnw") and args:
        files = _existing(ctx, base, ("pom.xml", "mvnw", ".mvn/wrapper/maven-wrapper.properties",
                                      ".mvn/wrapper/maven-wrapper.jar", ".mvn/maven.config"))
        if any(a.startswith("dependency:go-offline") or a == "dependency:resolve" for a in args):
            return Install("maven", files, False)
        if any(a in ("package", "install", "verify", "compile") for a in args):
            pom = ctx.read_text(_join(base, "pom.xml")) or ""
            if "<modules>" in pom:
                return Install("maven", files, True, note="a multi-module build: each module's pom.xml is needed first")
            return Install("maven", files, True, f"{cmd.words[0].text} -B dependency:go-offline")
        return None
    if name == "composer" and args and args[0] == "install":
        files = _existing(ctx, base, ("composer.json", "composer.lock", "auth.json"))
        return Install("composer", files, True, _as_written(cmd, "--no-scripts --no-autoloader"))
    if name == "cargo" and args and args[0] in ("build", "fetch", "install"):
        return Install("cargo", _existing(ctx, base, ("Cargo.toml", "Cargo.lock")), True,
                       note="cargo reads the crate's source to build its dependencies (a dummy-source step is not written)")
    if name in ("gradle", "gradlew") and args:
        files = _existing(ctx, base, ("build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts",
                                      "gradle.properties", "gradlew", "gradle/wrapper/gradle-wrapper.properties",
                                      "gradle/wrapper/gradle-wrapper.jar", "gradle/libs.versions.toml"))
        if "dependencies" in args:
            return Install("gradle", files, False)
        settings = (ctx.read_text(_join(base, "settings.gradle")) or "") + (ctx.read_text(_join(base, "settings.gradle.kts")) or "")
        if re.search(r"^\s*include", settings, re.M) or "buildSrc" in " ".join(ctx.glob(_join(base, "*"))):
            return Install("gradle", files, True, note="a multi-project build: each project's build file is needed first")
        return Install("gradle", files, True, f"{cmd.words[0].text} dependencies --no-daemon")
    return None


def tool_setup(cmd: Command) -> bool:
    """Installing or configuring the package manager itself (`pip install --upgrade pip`,
    `npm i -g pnpm`, `corepack enable`, `poetry config …`): needs no source, may come before
    the dependencies."""
    argv = [a for a in cmd.argv]
    if any(a is None for a in argv):
        return False
    name = cmd.name
    args = argv[1:]
    if name in ("python", "python3") and args[:2] == ["-m", "pip"]:
        name, args = "pip", args[2:]
    tools = {"pip", "setuptools", "wheel", "poetry", "pipenv", "uv", "virtualenv", "pnpm", "yarn", "npm", "bundler"}
    if name in ("pip", "pip3") and args and args[0] == "install":
        named = [a for a in args[1:] if not a.startswith("-")]
        return bool(named) and all(re.split(r"[<>=!~\[]", a)[0].lower() in tools for a in named)
    if name == "npm" and args and args[0] in ("install", "i") and ("-g" in args or "--global" in args):
        return True
    if name == "corepack":
        return True
    if name in ("poetry", "npm", "yarn", "pnpm", "bundle", "pip", "pip3", "uv", "composer") and args[:1] == ["config"]:
        return True  # the package manager's own settings (`poetry config virtualenvs.create false`)
    if name == "gem" and args[:1] == ["install"]:
        return all(a in ("bundler", "--no-document") or a.startswith("-v") for a in args[1:])
    return False


def _as_written(cmd: Command, extra: str) -> str:
    """The command as the Dockerfile spells it (quotes and escapes kept), with one more option."""
    return " ".join(w.text for w in cmd.words) + " " + extra


def _positional(args: list[str]) -> bool:
    """True when the arguments name packages (`npm install express`), not just options."""
    skip_value = {"--registry", "--cache", "--prefix", "-C", "--workspace", "-w", "--omit", "--include"}
    i = 0
    while i < len(args):
        a = args[i]
        if a in skip_value:
            i += 2
            continue
        if not a.startswith("-"):
            return True
        i += 1
    return False


def _pip(args: list[str], ctx: BuildContext, base: str) -> Install | None:
    files: list[str] = []
    i = 0
    positional = False
    while i < len(args):
        a = args[i]
        if a in ("-r", "--requirement", "-c", "--constraint") and i + 1 < len(args):
            files.append(args[i + 1])
            i += 2
            continue
        m = re.match(r"(?:--requirement|--constraint)=(.+)", a)
        if m:
            files.append(m.group(1))
        elif a.startswith("-r") and len(a) > 2:
            files.append(a[2:])
        elif a in ("-e", "--editable", "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--target", "-t", "--prefix", "--root"):
            if a in ("-e", "--editable"):
                positional = True
            i += 2
            continue
        elif not a.startswith("-"):
            positional = True
        i += 1
    if not files:
        return None
    seen: list[str] = []
    queue = list(files)
    installs_project = positional
    while queue:
        f = queue.pop(0)
        if f in seen or f.startswith("/") or "$" in f:
            if f.startswith("/") or "$" in f:
                return None  # outside what we can map to the context
            continue
        if not ctx.exists(_join(base, f)):
            return None
        seen.append(f)
        text = ctx.read_text(_join(base, f)) or ""
        folder = f.rsplit("/", 1)[0] + "/" if "/" in f else ""
        for line in text.splitlines():
            m = re.match(r"\s*(?:-r|--requirement|-c|--constraint)[\s=]+(\S+)", line)
            if m:
                queue.append(folder + m.group(1))
            elif re.match(r"\s*(-e|--editable)\s+\.|\s*\.\s*$|\s*file:", line):
                installs_project = True  # the project itself, from the source
    return Install("pip", tuple(seen), installs_project)
