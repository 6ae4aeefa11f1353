"""What a Maven or Gradle build writes, read from its build files (pom.xml, build.gradle[.kts], settings).

`maven_output(ctx, module, command)` and `gradle_output(ctx, project, command, cwd)` answer the
questions of the Java split: which jar files the build writes (names, in the module's `target/`
or the project's `build/libs/`), whether the one a command runs holds its dependencies, and
where `installDist` puts an application. Where a build file computes a name (a variable, a
convention plugin), the answer is "unknown", with the reason, never a guess. Data (plugin ids,
classifiers, output folders) comes from refactor/data/jvm.toml.
"""

from __future__ import annotations

import posixpath
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

__all__ = ["JvmBuild", "gradle_output", "gradle_project", "jvm_data", "maven_module", "maven_output"]


DATA = Path(__file__).resolve().parents[1] / "data" / "jvm.toml"


@lru_cache(maxsize=1)
def jvm_data() -> dict:
    return tomllib.loads(DATA.read_text(encoding="utf-8"))


@dataclass
class JvmBuild:
    """What one Maven module or Gradle project writes."""

    folder: str  # the module or project folder, relative to the context ("." for the root)
    jars: dict[str, bool] = field(default_factory=dict)  # jar file name -> holds its dependencies
    install: str | None = None  # installDist: the distribution's name (build/install/<name>/bin/<name>)
    unknown: str | None = None  # why the names cannot be told (then `jars` is not to be trusted)
    classpath: str | None = None  # why a jar's manifest names libraries outside it (the runtime would lack them)


# --- Maven -------------------------------------------------------------------------------------------


def maven_module(command_args: list[str]) -> "str | None":
    """The module folder `mvn -f sub/pom.xml` or `-pl sub` builds, relative to the working directory;
    '.' for the root; None when several modules are named."""
    args = list(command_args)
    for i, a in enumerate(args):
        if a in ("-f", "--file") and i + 1 < len(args):
            path = args[i + 1]
            return posixpath.normpath(posixpath.dirname(path) if path.endswith(".xml") else path)
        if a in ("-pl", "--projects") and i + 1 < len(args):
            mods = args[i + 1].split(",")
            return posixpath.normpath(mods[0]) if len(mods) == 1 and not mods[0].startswith((":", "!")) else None
    return "."


def maven_output(ctx, folder: str, profiles: tuple[str, ...] = (), defines: dict | None = None) -> JvmBuild:
    """The jars `mvn package` (or `assembly:single`) writes into `<folder>/target/`; `defines` are the
    command's `-Dname=value`, which win over the POM's properties."""
    out = JvmBuild(folder)
    rel = "pom.xml" if folder == "." else f"{folder}/pom.xml"
    pom = ctx.read_text(rel)
    if pom is None:
        out.unknown = f"{rel} is not in the build context"
        return out
    pom = re.sub(r"<!--.*?-->", "", pom, flags=re.S)
    for prof in re.findall(r"<profile>(.*?)</profile>", pom, flags=re.S):
        pid = _tag(prof, "id")
        active = pid in profiles or re.search(r"<activeByDefault>\s*true", prof)
        if active and re.search(r"<build>|<finalName>", prof):
            out.unknown = f"the profile {pid} of {rel} changes the build; the split does not follow profiles"
            return out
    body = re.sub(r"<profiles>.*?</profiles>", "", pom, flags=re.S)
    props = dict(re.findall(r"<([\w.-]+)>([^<$]*)</\1>", _section(body, "properties") or ""))
    parent = _section(body, "parent") or ""
    top = re.sub(r"<(parent|dependencies|dependencyManagement|build|reporting|properties|modules|repositories|"
                 r"pluginRepositories|distributionManagement|developers|licenses|scm)>.*?</\1>", "", body, flags=re.S)
    artifact = _tag(top, "artifactId")
    version = _tag(top, "version") or _tag(parent, "version")
    packaging = _tag(top, "packaging") or "jar"
    if packaging != "jar":
        out.unknown = f"{rel} packages a {packaging}, not a jar"
        return out
    props.update(defines or {})
    version = _resolve(version, props) if version else version
    props.update({"project.version": version or "", "project.artifactId": artifact or "", "pom.version": version or ""})
    build = _section(body, "build") or ""
    plugins = _section(re.sub(r"<pluginManagement>.*?</pluginManagement>", "", build, flags=re.S), "plugins") or ""
    own = re.sub(r"<plugins>.*?</plugins>|<pluginManagement>.*?</pluginManagement>|<resources>.*?</resources>", "", build,
                 flags=re.S)
    final = _tag(own, "finalName")
    base = _resolve(final, props) if final else (
        f"{artifact}-{_resolve(version, props)}" if artifact and version else None)
    if base is None or "$" in base:
        out.unknown = (f"the jar name {final or (artifact or '?') + '-' + (version or '?')} of {rel} uses a property "
                       f"the split cannot resolve")
        return out
    data = jvm_data()["maven"]
    out.jars[f"{base}.jar"] = False
    if re.search(r"<addClasspath>\s*true|<Class-Path>", pom):
        out.classpath = f"{rel} writes a Class-Path into the jar's manifest (libraries outside the jar)"
    for plugin in re.findall(r"<plugin>(.*?)</plugin>", plugins, flags=re.S):
        name = _tag(plugin, "artifactId")
        config = re.sub(r"<dependencies>.*?</dependencies>", "", plugin, flags=re.S)
        if name == data["shade-plugin"]:
            output = _tag(config, "outputFile")
            if output:
                path = _resolve(output, {**props, "project.build.directory": "target",
                                         "project.build.finalName": base})
                if "$" in path or posixpath.dirname(path) != "target":
                    out.unknown = f"the shade plugin of {rel} writes {output}, which the split cannot place"
                    return out
                out.jars[posixpath.basename(path)] = True
            elif _tag(config, "shadedArtifactAttached") == "true":
                classifier = _tag(config, "shadedClassifierName") or data["shade-classifier"]
                out.jars[f"{base}-{_resolve(classifier, props)}.jar"] = True
            else:
                out.jars[f"{base}.jar"] = True
        elif name == data["assembly-plugin"]:
            name_base = _resolve(_tag(config, "finalName") or base, props)
            append = _tag(config, "appendAssemblyId") != "false"
            for ref in re.findall(r"<descriptorRef>\s*([\w.-]+)\s*</descriptorRef>", config):
                fat = data["assembly-descriptors"].get(ref, False)
                out.jars[f"{name_base}-{ref}.jar" if append else f"{name_base}.jar"] = fat
        elif name == data["spring-boot-plugin"]:
            classifier = _tag(config, "classifier")
            out.jars[f"{base}-{_resolve(classifier, props)}.jar" if classifier else f"{base}.jar"] = True
        elif name == "maven-jar-plugin":
            classifier = _tag(config, "classifier")
            if classifier:
                out.jars[f"{base}-{_resolve(classifier, props)}.jar"] = False
    return out


def _section(text: str, tag: str) -> str | None:
    m = re.search(rf"<{tag}>(.*?)</{tag}>", text, flags=re.S)
    return m.group(1) if m else None


def _tag(text: str, tag: str) -> str | None:
    m = re.search(rf"<{tag}>\s*([^<]*?)\s*</{tag}>", text)
    return m.group(1) if m else None


def _resolve(value: str, props: dict) -> str:
    for _ in range(5):
        new = re.sub(r"\$\{([\w.-]+)\}", lambda m: props.get(m.group(1), m.group(0)), value)
        if new == value:
            break
        value = new
    return value.strip()


# --- Gradle ------------------------------------------------------------------------------------------


def gradle_project(ctx, task: str) -> "tuple[str, str] | str":
    """(folder relative to the context, project name) of the project a task path names
    (`jetty11:shadowJar`, `:with-db:r2dbc:installDist`); the root for a plain task. A string: why not."""
    settings = (ctx.read_text("settings.gradle") or "") + (ctx.read_text("settings.gradle.kts") or "")
    parts = [p for p in task.split(":")[:-1] if p]
    if not parts:
        m = re.search(r"rootProject\.name\s*=\s*['\"]([^'\"$]+)['\"]", settings)
        return ".", (m.group(1) if m else "")
    path = ":" + ":".join(parts)
    if re.search(rf"project\(\s*['\"]{re.escape(path)}['\"]\s*\)\s*\.projectDir", settings):
        return f"settings.gradle sets the folder of the project {path}; split by hand"
    renamed = re.search(rf"project\(\s*['\"]{re.escape(path)}['\"]\s*\)\s*\.name\s*=\s*['\"]([^'\"$]+)['\"]", settings)
    return "/".join(parts), (renamed.group(1) if renamed else parts[-1])


def gradle_output(ctx, folder: str, name: str) -> JvmBuild:
    """The jars a Gradle project writes into `<folder>/build/libs/`, and its installDist folder.

    `name` is the project's name ('' for a root project without `rootProject.name`: the caller
    passes the directory name the build runs in)."""
    out = JvmBuild(folder)
    data = jvm_data()["gradle"]
    root = _gradle_text(ctx, ".")
    own = root if folder == "." else _gradle_text(ctx, folder)
    if own is None:
        out.unknown = f"{folder}/ has no build.gradle or build.gradle.kts in the build context"
        return out
    text = own if folder == "." else (root or "") + "\n" + own
    logic = _convention_text(ctx)
    for word in ("archiveFileName", "archiveBaseName", "archiveVersion", "archiveClassifier", "archiveName",
                 "applicationName", "distributionBaseName", "Class-Path"):
        if word in logic:
            out.unknown = f"a convention plugin (buildSrc/ or build-logic/) sets {word}; the split cannot read it"
            return out
    if "Class-Path" in text:
        out.classpath = "the Gradle build writes a Class-Path into the jar's manifest (libraries outside the jar)"
    props = _properties(ctx.read_text("gradle.properties") or "")
    candidates = [_assigned(own, "version")] + ([_assigned(root or "", "version")] if folder != "." else [])
    version = next((v for v in candidates if v is not None), props.get("version"))
    if version is False:
        out.unknown = "the project's version is computed in the build file; the split cannot read the jar's name"
        return out
    jar = _task(text, ("jar", "Jar"))
    jars: dict[str, bool] = {}
    boot = data["spring-boot-plugin"] in text
    tasks = [(jar, "plain" if boot else "", False)]
    if boot:
        tasks.append((_task(text, ("bootJar", "BootJar")), "", True))
    if any(p in text for p in data["shadow-plugins"]) or "ShadowJar" in text:
        tasks.append((_task(text, ("shadowJar", "ShadowJar")), data["shadow-classifier"], True))
    for block, classifier, fat in tasks:
        file_name, why = _archive(block, name, version or "", classifier)
        if why:
            out.unknown = why
            return out
        jars[file_name] = fat or jars.get(file_name, False)
    out.jars = jars
    app = _assigned(text, "applicationName")
    dist = _assigned(text, "distributionBaseName")
    if app is False or dist is False:
        out.unknown = "the application's name is computed in the build file; the split cannot place installDist's folder"
        return out
    out.install = dist or app or name
    return out


def _gradle_text(ctx, folder: str) -> str | None:
    prefix = "" if folder == "." else folder.rstrip("/") + "/"
    texts = [ctx.read_text(prefix + n) for n in ("build.gradle", "build.gradle.kts")]
    texts = [t for t in texts if t is not None]
    if not texts:
        return None
    return re.sub(r"/\*.*?\*/|^[ \t]*//[^\n]*", "", "\n".join(texts), flags=re.S | re.M)


def _convention_text(ctx) -> str:
    """The text of convention plugins under buildSrc/ and build-logic/ (bounded)."""
    if not ctx.known:
        return ""
    out = []
    for top in ("buildSrc", "build-logic"):
        folder = ctx.root / top
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".kts", ".gradle", ".kt", ".groovy", ".java") and path.is_file() and len(out) < 200:
                out.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(out)


def _properties(text: str) -> dict:
    return dict(re.findall(r"(?m)^\s*([\w.-]+)\s*[=:]\s*(\S.*?)\s*$", text))


def _assigned(text: str, key: str) -> "str | None | bool":
    """The literal a build file assigns to `key` (`version = '1.0'`, `key.set("x")`); None when it does not;
    False when it computes it."""
    found = None
    for m in re.finditer(rf"(?m)^\s*(?:project\.)?{key}(?:\s*=\s*|\.set\(\s*|\s+)(.+?)\s*\)?\s*$", text):
        value = m.group(1).strip()
        lit = re.fullmatch(r"""(['"])([^'"$]*)\1\)?""", value)
        if not lit:
            return False
        found = lit.group(2)
    return found


def _task(text: str, names: tuple[str, ...]) -> str:
    """The bodies of the blocks that configure a task (`jar { … }`, `tasks.named<ShadowJar>("shadowJar") { … }`,
    `tasks.withType<Jar> { … }`), joined."""
    bodies = []
    alt = "|".join(map(re.escape, names))
    rx = re.compile(rf"(?:(?<![\w.])(?:tasks\.)?(?:{alt})|named(?:<\w+>)?\(\s*['\"](?:{alt})['\"]\s*(?:,\s*\w+(?:::class)?)?\s*\)"
                    rf"|withType(?:<(?:{alt})>|\(\s*(?:{alt})(?:::class(?:\.java)?)?\s*\)))\s*(?:\{{|\.configure\s*\{{)")
    for m in rx.finditer(text):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        bodies.append(text[m.end():i - 1])
    return "\n".join(bodies)


def _archive(block: str, base: str, version: str, classifier: str) -> "tuple[str, str | None]":
    """(the archive file name a jar task writes, given its configuration block; why it cannot be told)."""
    values = {}
    for key, old in (("archiveFileName", "archiveName"), ("archiveBaseName", "baseName"), ("archiveVersion", "version"),
                     ("archiveClassifier", "classifier")):
        value = _assigned(block, key)
        if value is None:
            value = _assigned(block, old)
        if value is False:
            return "", f"the {key} of a jar task is computed in the build file; the split cannot read the jar's name"
        values[key] = value
    if values["archiveFileName"]:
        return values["archiveFileName"], None
    base = values["archiveBaseName"] if values["archiveBaseName"] is not None else base
    version = values["archiveVersion"] if values["archiveVersion"] is not None else version
    classifier = values["archiveClassifier"] if values["archiveClassifier"] is not None else classifier
    return "-".join(p for p in (base, version, classifier) if p) + ".jar", None
