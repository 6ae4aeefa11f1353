"""Which runtime version the project itself declares, read from its own files.

Each reader returns `(version, source)` — a version as the image tags spell
it (`3.12`, `20`, `1.22`, `17`, `8.0`) and the file it came from — or None.
Where a file gives a range (`requires-python = ">=3.10"`, `engines.node =
"^20"`), the newest of the candidate tags that satisfies it wins, else the
range's lower bound.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable

from .context import BuildContext

__all__ = ["declared_version", "satisfies", "FAMILIES"]

Version = tuple[int, ...]


def _v(text: str) -> Version | None:
    m = re.match(r"\s*v?(\d+(?:\.\d+)*)", text)
    return tuple(int(p) for p in m.group(1).split(".")) if m else None


def _fmt(v: Version, parts: int) -> str:
    return ".".join(str(p) for p in v[:parts])


def satisfies(version: Version, spec: str) -> bool:
    """A small PEP 440 / npm-semver reading: `>=3.10,<3.13`, `^20`, `~=3.11`, `20.x`, `>=18 <21`."""
    clauses = [c for c in re.split(r"[,\s]+", spec.strip()) if c]
    if not clauses:
        return True
    if any("||" in c for c in clauses) or "||" in spec:
        return any(satisfies(version, part) for part in spec.split("||"))
    for c in clauses:
        m = re.match(r"(>=|<=|==|!=|~=|>|<|\^|~|=)?\s*v?([\d.x*]+)", c)
        if not m:
            continue
        op, raw = m.group(1) or "==", m.group(2)
        if op == "=":
            op = "=="
        wildcard = "x" in raw or "*" in raw
        base = _v(raw.replace("x", "0").replace("*", "0")) or (0,)
        n = len([p for p in raw.split(".") if p not in ("x", "*")])
        if op == "==" and (wildcard or n < 3):
            if version[:n] != base[:n]:
                return False
            continue
        if op == "^":
            upper = (base[0] + 1,) if base[0] > 0 else base[:2]
            if not (version >= base[: len(version)] and version[: len(upper)] < upper):
                return False
            continue
        if op in ("~", "~="):
            keep = max(1, n - 1) if op == "~=" else min(2, n)
            if not (version >= base[: len(version)] and version[:keep] == base[:keep]):
                return False
            continue
        cmp_len = max(len(version), len(base))
        a = version + (0,) * (cmp_len - len(version))
        b = base + (0,) * (cmp_len - len(base))
        ok = {">=": a >= b, "<=": a <= b, ">": a > b, "<": a < b, "==": a == b, "!=": a != b}[op]
        if not ok:
            return False
    return True


def _choose(spec: str, candidates: Iterable[str], parts: int) -> str | None:
    best = None
    for c in candidates:
        v = _v(c)
        if v is not None and satisfies(v, spec) and (best is None or v > best[0]):
            best = (v, c)
    if best is not None:
        return best[1]
    m = re.search(r"(?:>=|\^|~=|~|==|=)?\s*v?(\d+(?:\.\d+)*)", spec)
    if m and not spec.strip().startswith("<"):
        v = _v(m.group(1))
        return _fmt(v, parts) if v else None
    return None


# --- readers ---------------------------------------------------------------------------------


def python_version(ctx: BuildContext, candidates: list[str]):
    text = ctx.read_text(".python-version")
    if text:
        line = text.strip().splitlines()[0] if text.strip() else ""
        v = _v(line)
        if v and len(v) >= 2:
            return _fmt(v, 2), ".python-version"
    data = ctx.read_toml("pyproject.toml")
    if data:
        spec = data.get("project", {}).get("requires-python")
        if not spec:
            spec = data.get("tool", {}).get("poetry", {}).get("dependencies", {}).get("python")
        if isinstance(spec, str):
            chosen = _choose(spec, candidates, 2)
            if chosen:
                return chosen, "requires-python in pyproject.toml"
    text = ctx.read_text("runtime.txt")  # Heroku-style python-3.11.4
    if text:
        m = re.search(r"python-(\d+\.\d+)", text)
        if m:
            return m.group(1), "runtime.txt"
    return None


def node_version(ctx: BuildContext, candidates: list[str]):
    for name in (".nvmrc", ".node-version"):
        text = ctx.read_text(name)
        if text and text.strip():
            v = _v(text.strip())
            if v:
                return str(v[0]), name
    data = ctx.read_json("package.json")
    if isinstance(data, dict):
        spec = (data.get("engines") or {}).get("node")
        if isinstance(spec, str):
            chosen = _choose(spec, candidates, 1)
            if chosen:
                return chosen.split(".")[0], "engines.node in package.json"
    return None


def go_version(ctx: BuildContext, candidates: list[str]):
    text = ctx.read_text("go.mod")
    if text:
        m = re.search(r"^go\s+(\d+\.\d+)", text, re.M)
        if m:
            return m.group(1), "go.mod"
    return None


def rust_version(ctx: BuildContext, candidates: list[str]):
    data = ctx.read_toml("rust-toolchain.toml")
    channel = None
    source = "rust-toolchain.toml"
    if data:
        channel = (data.get("toolchain") or {}).get("channel")
    if channel is None:
        text = ctx.read_text("rust-toolchain")
        if text and text.strip():
            channel, source = text.strip().splitlines()[0], "rust-toolchain"
    if isinstance(channel, str):
        v = _v(channel)
        if v and len(v) >= 2:
            return _fmt(v, 2), source
    data = ctx.read_toml("Cargo.toml")
    if data:
        rv = (data.get("package") or {}).get("rust-version")
        if isinstance(rv, str):
            chosen = _choose(f">={rv}", candidates, 2)
            if chosen:
                return chosen, "rust-version in Cargo.toml"
    return None


def java_version(ctx: BuildContext, candidates: list[str]):
    pom = ctx.read_text("pom.xml")
    if pom:
        for tag in ("maven.compiler.release", "java.version", "maven.compiler.source", "maven.compiler.target", "release"):
            m = re.search(rf"<{re.escape(tag)}>\s*(?:1\.)?(\d+)\s*</{re.escape(tag)}>", pom)
            if m:
                return m.group(1), "pom.xml"
    for name in ("build.gradle", "build.gradle.kts"):
        text = ctx.read_text(name)
        if not text:
            continue
        m = (re.search(r"languageVersion(?:\.set\()?\s*(?:=\s*)?JavaLanguageVersion\.of\(\s*(\d+)\s*\)", text)
             or re.search(r"JavaVersion\.VERSION_(?:1_)?(\d+)", text)
             or re.search(r"sourceCompatibility\s*=\s*['\"]?(?:1\.)?(\d+)", text))
        if m:
            return m.group(1), name
    return None


def dotnet_version(ctx: BuildContext, candidates: list[str]):
    data = ctx.read_json("global.json")
    if isinstance(data, dict):
        v = _v(str((data.get("sdk") or {}).get("version", "")))
        if v and len(v) >= 2:
            return _fmt(v, 2), "global.json"
    for proj in ctx.glob("*.csproj") + ctx.glob("*/*.csproj") + ctx.glob("*.fsproj"):
        text = ctx.read_text(proj) or ""
        m = re.search(r"<TargetFrameworks?>\s*net(\d+\.\d+)", text)
        if m:
            return m.group(1), proj
    return None


def ruby_version(ctx: BuildContext, candidates: list[str]):
    text = ctx.read_text(".ruby-version")
    if text and text.strip():
        v = _v(text.strip().removeprefix("ruby-"))
        if v and len(v) >= 2:
            return _fmt(v, 2), ".ruby-version"
    text = ctx.read_text("Gemfile")
    if text:
        m = re.search(r"^\s*ruby\s+['\"]([^'\"]+)['\"]", text, re.M)
        if m:
            chosen = _choose(m.group(1), candidates, 2)
            if chosen:
                return chosen, "Gemfile"
    return None


def php_version(ctx: BuildContext, candidates: list[str]):
    data = ctx.read_json("composer.json")
    if isinstance(data, dict):
        spec = (data.get("require") or {}).get("php")
        if isinstance(spec, str):
            chosen = _choose(spec, candidates, 2)
            if chosen:
                return chosen, "require.php in composer.json"
    return None


# image repository (Docker Hub short name or full path) -> reader
FAMILIES: dict[str, Callable] = {
    "python": python_version,
    "node": node_version,
    "golang": go_version,
    "rust": rust_version,
    "eclipse-temurin": java_version,
    "amazoncorretto": java_version,
    "mcr.microsoft.com/dotnet/sdk": dotnet_version,
    "mcr.microsoft.com/dotnet/aspnet": dotnet_version,
    "mcr.microsoft.com/dotnet/runtime": dotnet_version,
    "ruby": ruby_version,
    "php": php_version,
}


def declared_version(image: str, ctx: BuildContext, candidates: list[str]) -> tuple[str, str] | None:
    reader = FAMILIES.get(image)
    if reader is None or not ctx.known:
        return None
    return reader(ctx, candidates)
