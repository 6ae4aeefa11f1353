"""Choosing the runtime image and its packages: one rule for every ecosystem, the slim variant, pinned tags."""

from __future__ import annotations

import posixpath
import re
import tomllib
from functools import lru_cache
from pathlib import Path

from ...model.images import image_facts
from ...syntax.image import ImageRef
from .build import Build, _unique, command_tools, context_files


DATA = Path(__file__).resolve().parents[2] / "data" / "runtime.toml"


@lru_cache(maxsize=1)
def runtime_data() -> dict:
    return tomllib.loads(DATA.read_text(encoding="utf-8"))


def runtime_packages(build: Build, suite: str | None, model=None) -> "tuple[list[str], str | None]":
    """The packages the runtime stage installs, by the one rule every MS rule follows.

    A package the build installs stays unless it is known to be build-only (runtime.toml
    `build-only`, `-dev`/`-devel` headers, which become their runtime library), or it is a
    tool (`run-time-tools`: git, curl, nodejs, …) that nothing at run time runs or that the
    runtime image already is. The second value is a reason to decline: a `-dev` package with
    no known runtime library.
    """
    keep, _, why = sort_packages(build, suite, model)
    return keep, why


def sort_packages(build: Build, suite: str | None, model=None) -> "tuple[list[str], list[tuple[str, str]], str | None]":
    """(kept, [(left behind, why)], reason to decline) for the build's system packages."""
    table = runtime_data()["packages"]
    build_only = set(table["build-only"])
    tools = set(table.get("run-time-tools", ()))
    mapping = table["runtime"]
    out: list[str] = []
    left: list[tuple[str, str]] = []
    own = _OWN_RUNTIME.get(build.base.path.rsplit("/", 1)[-1], ())
    for pkg in build.packages:
        if pkg in build_only:
            left.append((pkg, "build-only"))
            continue
        if pkg in tools:
            if pkg in own:
                left.append((pkg, f"the {build.base.path.rsplit('/', 1)[-1]} runtime image has its own"))
                continue
            caller = runs_at_run_time(model, build, pkg)
            if caller is None:
                left.append((pkg, "nothing at run time runs it"))
                continue
            out.append(pkg)
            continue
        if pkg.endswith("-dev") or pkg.endswith("-devel"):
            if pkg not in mapping:
                return [], left, f"no runtime library is known for {pkg} (refactor/data/runtime.toml): split by hand or add it"
            value = mapping[pkg]
            if isinstance(value, dict):
                if suite not in value:
                    older = distro_data()["apt"]["runtime"].get(pkg)
                    older = older.get(suite) if isinstance(older, dict) else older
                    if suite is None or older is None:
                        return [], left, (f"the runtime library of {pkg} depends on the Debian release, which the image tag does not name"
                                          if suite is None else f"no runtime library is known for {pkg} on Debian {suite} "
                                          f"(refactor/data/runtime.toml): split by hand or add it")
                    value = older
                else:
                    value = value[suite]
            left.append((pkg, "build-only"))
            out.extend([value] if isinstance(value, str) else value)
            continue
        out.append(pkg)
    return _unique(out), left, None


def left_behind_note(build: Build, suite: str | None, model=None) -> str:
    """`left in the build stage: gcc, libpq-dev (build-only); curl (nothing at run time runs it)`, or ''."""
    distro = getattr(build, "distro_release", None)
    if distro:
        _, left, _ = distro_packages(build, distro[0], distro[1], model)
    else:
        _, left, _ = sort_packages(build, suite, model)
    if not left:
        return ""
    groups: dict[str, list[str]] = {}
    for pkg, why in left:
        groups.setdefault(why, []).append(pkg)
    return "left in the build stage: " + "; ".join(f"{', '.join(p)} ({why})" for why, p in groups.items())


# the packages a runtime image is itself (its own node, its own python)
_OWN_RUNTIME = {"node": ("nodejs", "npm"), "python": ("python3",)}


# the programs a tool package provides, as the command or the source would name them
_PROGRAMS = {"nodejs": ("node", "nodejs"), "npm": ("npm", "npx"), "python3": ("python3", "python"),
             "git": ("git",), "curl": ("curl",), "wget": ("wget",)}


_SOURCE_TEXTS = (".py", ".rb", ".js", ".mjs", ".cjs", ".ts", ".go", ".rs", ".php", ".java", ".kt", ".cs", ".c", ".cc", ".cpp", ".sh")


def runs_at_run_time(model, build: Build, package: str) -> str | None:
    """Where something at run time runs the program of `package` (`the command`, `entrypoint.sh:3`,
    `Gemfile.lock (execjs)`, `app/jobs.py:12`), or None when nothing is seen to."""
    names = _PROGRAMS.get(package, (package,))
    word = re.compile(r"(?<![\w./-])(?:" + "|".join(map(re.escape, names)) + r")(?![\w.-])")
    for ins in build.moves:
        if ins.keyword in ("CMD", "ENTRYPOINT", "HEALTHCHECK") and word.search(" ".join(ins.arguments)):
            return f"line {ins.start_line}"
    if model is None or not model.context.known:
        return "the build context, which is not known"  # in doubt, it stays
    ctx = model.context
    for rel in _entry_scripts(model, build):
        for n, line in enumerate((ctx.read_text(rel) or "").splitlines(), start=1):
            if word.search(line) and not line.lstrip().startswith("#"):
                return f"{rel}:{n}"
    if package == "nodejs":
        for rel in ("Gemfile.lock", "Gemfile"):
            text = ctx.read_text(rel) or ""
            if re.search(r"(?m)^\s*(?:gem\s+['\"])?(execjs|uglifier|coffee-script|autoprefixer-rails)\b", text):
                return f"{rel} (execjs runs node)"
    literal = re.compile(r"""["'](?:/usr/bin/|/usr/local/bin/)?(?:""" + "|".join(map(re.escape, names)) + r""")(?:["'\s])""")
    for src, dest in build.sources:
        root = ctx.root if src == "." else ctx.root / src
        for path in context_files(ctx, root, _SOURCE_TEXTS, 400):
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            m = literal.search(text)
            if m:
                return f"{path.relative_to(ctx.root).as_posix()}:{text.count(chr(10), 0, m.start()) + 1}"
    return None


def _entry_scripts(model, build: Build) -> list[str]:
    """Context paths of the scripts the command runs (`./entrypoint.sh`, `bin/start`)."""
    out: list[str] = []
    words = list(build.entry)
    if not words:
        for ins in build.moves:
            if ins.keyword in ("CMD", "ENTRYPOINT") and ins.arguments and not ins.is_exec_form:
                words += re.findall(r"[\w./-]+", ins.arguments[0])
    for w in words:
        if not w or w.startswith("-") or "$" in w:
            continue
        absolute = posixpath.normpath(posixpath.join(build.workdir, w))
        for src, dest in build.sources:
            if not absolute.startswith(dest.rstrip("/") + "/"):
                continue
            rel = absolute[len(dest.rstrip("/")) + 1:]
            rel = rel if src == "." else f"{src}/{rel}"
            if model.context.exists(rel) and not (model.context.root / rel).is_dir() and rel not in out:
                out.append(rel)
    return out


def debian_suite(ref: ImageRef) -> str | None:
    """The Debian release a tag names (`3.11-bookworm`, `bookworm-slim`), if any."""
    tag = (ref.tag or "").lower()
    for suite in ("jessie", "stretch", "buster", "bullseye", "bookworm", "trixie", "forky"):
        if suite in tag:
            return suite
    if image_facts(ref).family == "debian" and ref.path in ("debian", "library/debian"):
        m = re.match(r"(\d+)", tag)
        if m:
            return {"11": "bullseye", "12": "bookworm", "13": "trixie"}.get(m.group(1))
    return None


def slim_variant(ref: ImageRef) -> str | None:
    """`python:3.11` -> `python:3.11-slim`, `node:20-bookworm` -> `node:20-bookworm-slim`; alpine stays."""
    tag = ref.tag or ""
    if "alpine" in tag or tag.endswith("slim") or "-slim-" in tag:
        return f"{ref.with_tag(tag).text}"
    name = ref.path.rsplit("/", 1)[-1]
    for suite in _SLIM_SUITES.get(name, _SLIM_SUITES["node"]):
        if tag.endswith("-" + suite):
            if name in ("python", "ruby"):  # python:3.7-slim-buster, ruby:2.7-slim-buster
                return ref.with_tag(f"{tag[:-len(suite) - 1]}-slim-{suite}").text
            return ref.with_tag(f"{tag}-slim").text  # node:20-bookworm-slim
    if re.fullmatch(r"[0-9][0-9.]*", tag):
        return ref.with_tag(f"{tag}-slim").text
    return None


# the Debian releases whose `-<suite>` tags have a slim variant, by image (python and ruby had
# `-slim-jessie`, `-slim-stretch` and `-slim-buster`; wheezy tags had none)
_SLIM_SUITES = {"python": ("jessie", "stretch", "buster", "bullseye", "bookworm", "trixie"),
                "ruby": ("jessie", "stretch", "buster", "bullseye", "bookworm", "trixie"),
                "node": ("stretch", "buster", "bullseye", "bookworm", "trixie")}


_WHAT_BREAKS = {"python": "the virtual environment copied between them (its path names the minor version) would break",
                "ruby": "the gems copied between them (installed under ruby/<minor>.0) would not be found",
                "node": "native modules copied between them are built for one Node major version"}


def floating_tag(base: ImageRef, ecosystem: str) -> str | None:
    """Why a split on `base` declines: its tag may resolve to another language version than the runtime's.

    Python and Ruby need the same minor version in both stages (`python:3` does not say
    which); Node the same major (`node:lts`, `node:current`, a codename, do not). A split
    writes two FROM lines that are pulled apart and float apart.
    """
    tag = (base.tag or "").lower()
    version = tag.split("-", 1)[0]
    if base.digest:
        return None
    if ecosystem in ("python", "ruby"):
        if re.fullmatch(r"\d+\.\d+(\.\d+)?(rc\d*|b\d*|a\d*)?", version):
            return None
        what = "minor version"
    elif ecosystem == "node":
        if re.fullmatch(r"\d+(\.\d+){0,2}", version):
            return None
        what = "major version"
    else:
        return None
    name = {"python": "Python", "ruby": "Ruby", "node": "Node"}[ecosystem]
    return (f"the tag {base.text} floats: it and its slim variant may resolve to different {name} {what}s, and "
            f"{_WHAT_BREAKS[ecosystem]}")


def concrete_version(model, base: ImageRef, ecosystem: str) -> "tuple[ImageRef, str] | str":
    """The concrete tag for a floating one, as PN001 finds it (the project's version files, else the
    dated table), kept only where it is a version the floating tag names today; else why not."""
    from ...model.pins import image_key, load_pin_table
    from ...model.versions import declared_version

    tag = (base.tag or "").lower()
    version, _, variant = tag.partition("-")
    if not re.fullmatch(r"\d+", version):
        return f"which {ecosystem} version `{version}` names is not known"
    table = load_pin_table(model.options.pin_table)
    key = image_key(base)
    candidates = table.candidates(key, model.options.pin_date)
    found = declared_version(key, model.context, candidates)
    if found:
        chosen, source = found[0], found[1]
    else:
        chosen = table.current(key, model.options.pin_date)
        source = f"the table of current releases ({table.date})"
    if not chosen:
        return f"no current {key} release is known"
    number = chosen.split("-", 1)[0]
    if not re.fullmatch(r"\d+\.\d+(\.\d+)?", number) or number.split(".")[0] != version:
        return f"{source} names {key}:{chosen}, not a {version}.x release"
    return base.with_tag(number + (f"-{variant}" if variant else "")), source


_FULL_ONLY = ("curl", "wget", "git")  # in the full python, node and ruby images, not in -slim


def slim_runtime(model, build: Build, ecosystem: str, manifests: tuple[str, ...]) -> "tuple[str, list[str]] | str":
    """The slim variant of the build image and the packages it must install, or why not.

    Besides the runtime libraries of the build's own packages: those that packages named in
    the manifests built against (the full image carries their headers), and the tools the
    command or health check runs that only the full image has.
    """
    # an image that is already slim is also the runtime's: the same reference written twice in one
    # build names one image, so a floating tag cannot drift between the stages
    why = None if slim_variant(build.base) == build.base.text else floating_tag(build.base, ecosystem)
    if why:
        pinned = concrete_version(model, build.base, ecosystem)
        if isinstance(pinned, str):
            return f"{why}; {pinned}: pin it by hand, then the split keeps it in both stages"
        new, source = pinned
        build.repin = f"{build.base.text} floats: pinned to {new.text} in both stages, from {source}"
        build.base = new
    runtime = slim_variant(build.base)
    if runtime is None:
        return f"no slim variant of {build.base.text} is known"
    packages, why = runtime_packages(build, debian_suite(build.base), model)
    if why:
        return why
    if not any(v in (build.base.tag or "") for v in ("slim", "alpine")):
        packages += [p for p in library_packages(model, ecosystem, manifests) if p not in packages]
        packages += [t for t in sorted(command_tools(build)) if t in _FULL_ONLY and t not in packages]
    return runtime, packages


def install_line(tool: str | None, packages: list[str], no_recommends: bool) -> str | None:
    """The runtime's package install. It says `--no-install-recommends` where the build did, or where
    every package's recommends are known (apt_recommends.toml `runtime-recommends`): then it names
    them, so the runtime installs what it did before and the line lists all of it."""
    if not packages:
        return None
    names = " ".join(packages)
    if tool == "apk":
        return f"RUN apk add --no-cache {names}"
    if tool in ("dnf", "yum", "microdnf"):
        return f"RUN {tool} install -y {names} \\\n    && {tool} clean all"
    known = recommends_data().get("runtime-recommends", {})
    if not no_recommends and all(p in known for p in packages):
        names = " ".join(_unique(list(packages) + [r for p in packages for r in known[p]]))
        no_recommends = True
    option = "--no-install-recommends " if no_recommends else ""
    return (f"RUN apt-get update && apt-get install -y {option}{names} \\\n"
            f"    && rm -rf /var/lib/apt/lists/*")


@lru_cache(maxsize=1)
def recommends_data() -> dict:
    return tomllib.loads((Path(__file__).resolve().parents[2] / "data" / "apt_recommends.toml").read_text(encoding="utf-8"))


def library_packages(model, ecosystem: str, manifests: tuple[str, ...]) -> list[str]:
    """Runtime libraries for packages the manifests name that build against the full image's headers."""
    table = runtime_data().get("libraries", {}).get(ecosystem, {})
    ctx = model.context
    if not table or not ctx.known:
        return []
    texts = []
    for pattern in manifests:
        for rel in ctx.glob(pattern):
            texts.append(ctx.read_text(rel) or "")
    text = "\n".join(texts)
    out: list[str] = []
    for name, packages in table.items():
        if re.search(rf'(?im)(?:^|["\s/]){re.escape(name)}(?:["\s=<>~!\[;,:]|$)', text):
            for p in [packages] if isinstance(packages, str) else packages:
                if p not in out:
                    out.append(p)
    return out


def native_runtime(build: Build, packages: list[str], *, static: bool) -> str:
    """The runtime image for a compiled program: distroless where nothing needs a shell or a package."""
    data = runtime_data()
    suite = debian_suite(build.base) or data["debian-suite"]
    needs_shell = build.entry_shell or bool(command_tools(build)) or bool(packages) or bool(build.users) \
        or any(i.keyword == "HEALTHCHECK" and not i.is_exec_form for i in build.moves)
    if needs_shell:
        return f"debian:{suite}-slim"
    number = {"bullseye": "11", "bookworm": "12", "trixie": "13"}.get(suite, data["distroless-debian"])
    return f"{data['images']['distroless']}/{'static' if static else 'cc'}-debian{number}:nonroot"


DISTRO_DATA = DATA.parent / "distro_packages.toml"


@lru_cache(maxsize=1)
def distro_data() -> dict:
    return tomllib.loads(DISTRO_DATA.read_text(encoding="utf-8"))


# plain distribution images, by the last part of their name: (family, package tool)
DISTRIBUTIONS = {"debian": ("debian", "apt"), "ubuntu": ("ubuntu", "apt"), "buildpack-deps": ("debian", "apt"),
                 "alpine": ("alpine", "apk"), "centos": ("rhel", "dnf"), "rockylinux": ("rhel", "dnf"),
                 "almalinux": ("rhel", "dnf"), "fedora": ("rhel", "dnf"), "amazonlinux": ("rhel", "dnf")}

_UBUNTU_CODENAMES = ("xenial", "bionic", "focal", "jammy", "noble")
_DEBIAN_CODENAMES = ("jessie", "stretch", "buster", "bullseye", "bookworm", "trixie")


def distribution(ref: ImageRef) -> "tuple[str, str] | None":
    """(family, package tool) of a plain distribution image (`debian`, `ubuntu:22.04`, `rockylinux:9`), or None."""
    name = ref.path.rsplit("/", 1)[-1]
    if name not in DISTRIBUTIONS:
        return None
    family, tool = DISTRIBUTIONS[name]
    if name == "buildpack-deps" and any(c in (ref.tag or "") for c in _UBUNTU_CODENAMES):
        family = "ubuntu"
    return family, tool


def distro_release(ref: ImageRef) -> "tuple[str, dict] | str":
    """The release a distribution image's tag names, as distro_packages.toml keys it
    (`debian:bookworm`, `ubuntu:22.04`, `alpine:3.18`, `rhel:9`), with its facts; else why not."""
    data = distro_data()
    releases, aliases = data["releases"], data["aliases"]
    name = ref.path.rsplit("/", 1)[-1]
    tag = (ref.tag or "").lower()
    key = None
    if name in ("debian", "buildpack-deps", "ubuntu"):
        for word in re.split(r"[-_.]", tag):
            if word in _DEBIAN_CODENAMES:
                key = f"debian:{word}"
            elif word in _UBUNTU_CODENAMES:
                key = aliases[f"ubuntu:{word}"]
        if key is None and name == "debian":
            m = re.match(r"(\d+)", tag)
            key = aliases.get(f"debian:{m.group(1)}") if m else None
        if key is None and name == "ubuntu":
            m = re.match(r"(\d+\.\d+)", tag)
            key = f"ubuntu:{m.group(1)}" if m else None
    elif name == "alpine":
        m = re.match(r"(\d+\.\d+)", tag)
        key = f"alpine:{m.group(1)}" if m else None
    elif name in ("centos", "rockylinux", "almalinux"):
        m = re.match(r"(?:centos)?(\d+)", tag)
        key = aliases.get(f"{name}:{m.group(1)}", f"{name}:{m.group(1)}") if m else None
    elif name == "fedora":
        m = re.match(r"(\d+)", tag)
        key = f"fedora:{m.group(1)}" if m else None
    elif name == "amazonlinux":
        m = re.match(r"(\d+)", tag)
        key = f"amazonlinux:{m.group(1)}" if m else None
    if key is None or key not in releases:
        known = sorted(k for k in releases if k.split(":", 1)[0] == name)
        return (f"{ref.text} is a release the split has no package data for (which language version and libraries "
                f"it ships); it knows {', '.join(known) if known else 'no ' + name + ' release'} "
                f"(refactor/data/distro_packages.toml): move to one of those, or split by hand")
    return key, releases[key]


def distro_packages(build: Build, release: str, tool: str, model=None) -> "tuple[list[str], list[tuple[str, str]], str | None]":
    """(kept, [(left behind, why)], reason to decline) for the system packages of a build on a
    distribution image, by the one rule of `sort_packages`: build-only packages (compilers,
    headers, the language's package manager) stay behind, `-dev`/`-devel` packages become
    their runtime library for `release`, tools stay only when something at run time runs them."""
    table = distro_data()[tool]
    build_only = set(runtime_data()["packages"]["build-only"]) | set(table["build-only"])
    tools = set(runtime_data()["packages"].get("run-time-tools", ())) - set(table["language"])
    mapping = table["runtime"]
    short = release.split(":", 1)[1]
    out: list[str] = []
    left: list[tuple[str, str]] = []
    for pkg in build.packages:
        if pkg in build_only:
            left.append((pkg, "build-only"))
            continue
        if pkg in tools:
            if runs_at_run_time(model, build, pkg) is None:
                left.append((pkg, "nothing at run time runs it"))
            else:
                out.append(pkg)
            continue
        if pkg.endswith(("-dev", "-devel")) or pkg in mapping:
            value = mapping.get(pkg)
            if isinstance(value, dict):
                value = value.get(release, value.get(short))
            if value is None:
                return [], left, (f"no runtime library is known for {pkg} on {release} "
                                  f"(refactor/data/distro_packages.toml): split by hand or add it")
            left.append((pkg, "build-only"))
            out.extend([value] if isinstance(value, str) else value)
            continue
        out.append(pkg)
    return _unique(out), left, None


def distro_runtime(model, build: Build, language: str, tool: str, release: str) -> "tuple[str, list[str]] | str":
    """The runtime image of a build on a distribution image: the same image and tag (the review level
    never swaps the distribution), with `language` (the release's own package) and the runtime
    packages; or why not."""
    kept, left, why = distro_packages(build, release, tool, model)
    if why:
        return why
    if language not in kept:
        kept.insert(0, language)
    build.distro_release = (release, tool)
    return build.base.text, kept
