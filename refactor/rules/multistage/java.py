from __future__ import annotations

import posixpath
import re

import dataclasses
import shlex
from pathlib import Path

from ...model.context import BuildContext
from ...model.jvm import gradle_output, gradle_project, jvm_data, maven_module, maven_output
from ..split import Copy, SplitRule, files_read, runtime_packages, split_fix, uncovered_paths, unknown_command, \
    debian_suite
from ..split.reads import _READ_CALLS, _literal_name
from ..split.build import context_files

_BUILD_TOOLS = {"mvn", "mvnw", "gradle", "gradlew", "java", "javac", "jar"}


class JavaSplit(SplitRule):
    """
    ## What it does
    Splits a single-stage Maven or Gradle build (wrappers included) whose
    command runs `java -jar` on the jar the build writes, or the start script
    `installDist` writes: the original stage builds (the `build` stage, or the
    name it already has), and a runtime stage on the JRE of the same Java major
    (`eclipse-temurin:<major>-jre`) holds that jar, or the whole
    `build/install/<name>/` folder, at the same path, with what the file copies
    in that the build does not read (`COPY conf conf`). The jar is checked
    against what the build files write (refactor/model/jvm.py): Maven's
    `finalName` or `artifactId-version`, the shade plugin (`outputFile`,
    `shadedClassifierName`), the assembly plugin (`-jar-with-dependencies`),
    Spring Boot's repackage; Gradle's `archiveFileName`, `archiveBaseName`,
    `archiveVersion`, `archiveClassifier`, the Shadow plugin (`-all`),
    `bootJar`, sub-projects (`app:shadowJar` → `app/build/libs/`), Groovy or
    Kotlin DSL.

    ## Why
    A JDK with Maven or Gradle and their caches is several hundred megabytes
    more than the JRE the application needs.

    ## Example
    ```dockerfile
    FROM maven:3.9-eclipse-temurin-17
    WORKDIR /app
    COPY . .
    RUN mvn -B package -DskipTests
    CMD ["java", "-jar", "target/greeter-1.0.0.jar"]
    ```

    ## Use instead
    ```dockerfile
    FROM maven:3.9-eclipse-temurin-17 AS build
    WORKDIR /app
    COPY . .
    RUN mvn -B package -DskipTests

    FROM eclipse-temurin:17-jre
    WORKDIR /app
    COPY --from=build /app/target/greeter-1.0.0.jar /app/target/greeter-1.0.0.jar
    CMD ["java", "-jar", "target/greeter-1.0.0.jar"]
    ```

    ## Fix safety
    Review: the configuration is kept; the runtime lacks the JDK's tools
    (`javac`, `jcmd`) and files of the source tree that the file copied in
    with the build's inputs. The rule declines when the command does not run
    a jar the build names, when a build file computes the name (a variable, a
    convention plugin, a profile), when the jar's manifest names libraries
    outside it, when the Java major cannot be read from the image tag or has
    no Temurin JRE, and for vendors other than Temurin/OpenJDK (Corretto,
    GraalVM, Semeru: their JRE is not published for every major).
    """

    code = "MS005"
    name = "split-java"
    title = "Split a Maven or Gradle build into a JDK build stage and a JRE runtime"
    rationale = "The application needs a JRE and its jar, not the JDK, the build tool and its dependency cache."
    ecosystem = "java"
    images = ("maven", "gradle", "eclipse-temurin", "openjdk", "amazoncorretto")

    def plan(self, model, build):
        builds = [(ins, c) for ins, c in build.commands if c.name in ("mvn", "mvnw", "gradle", "gradlew")]
        if not builds:
            return ("no Maven or Gradle command builds a jar in the image (a jar built outside and copied in "
                    "needs no split); a `RUN mvn package` or `RUN gradle build` step is what the Java split follows")
        why = unknown_command(build, _BUILD_TOOLS | {"chmod"})
        if why:
            return why
        java = _java(build.base)
        if isinstance(java, str):
            return java
        major, variant = java
        ins, cmd = builds[-1]
        cwd = build.workdir_at[id(ins)]
        before = [c for i, c in build.commands if i is ins]
        if any(c.name == "cd" for c in before[:before.index(cmd)]):
            return (f"line {ins.start_line}: the build runs after a `cd`, in a folder the split does not follow; "
                    f"a WORKDIR before the RUN would let it split")
        why = _user(build)
        if why:
            return why
        maven = cmd.name in ("mvn", "mvnw")
        run = _command(build)
        if isinstance(run, str):
            return run
        kind, target = run
        path = posixpath.normpath(posixpath.join(build.workdir, target))
        argv = [a or "" for a in cmd.argv[1:]]
        if maven:
            output = _maven(model, build, cwd, argv)
        else:
            output = _gradle(model, build, cwd, argv, path, kind)
        if isinstance(output, str):
            return output
        out, folder = output  # folder: the absolute folder of the module or project in the image
        if out.unknown:
            return f"{out.unknown}: the split cannot confirm the jar the command runs is the one the build writes"
        if kind == "install":
            if maven:
                return "the command runs a start script, which Maven does not write; split by hand"
            place = posixpath.join(folder, jvm_data()["gradle"]["install"], out.install)
            if path != posixpath.join(place, "bin", out.install):
                return (f"the command runs {path}, not the start script installDist writes "
                        f"({posixpath.join(place, 'bin', out.install)})")
            artifact = place
        else:
            where = posixpath.join(folder, jvm_data()["maven" if maven else "gradle"]["output"])
            if posixpath.dirname(path) != where:
                return f"the command runs {path}, not a jar the build writes to {where}"
            name = posixpath.basename(path)
            if name not in out.jars:
                return (f"the command runs {name}, but the build names its jar "
                        f"{' or '.join(sorted(out.jars))}")
            if not out.jars[name] and out.classpath:
                return f"{out.classpath}: the runtime would not have them; split by hand"
            artifact = path
        packages, why = runtime_packages(build, debian_suite(build.base), model)
        if why:
            return why
        if packages and build.base.path.rsplit("/", 1)[-1] != "eclipse-temurin":
            return (f"the build installs {', '.join(packages)} for run time, and the JRE image's distribution "
                    f"may name them differently from {build.base.text}'s; split by hand")
        for env in build.carried:
            for key, value in (env.pairs if env.keyword == "ENV" else ()):
                if key in ("JAVA_HOME", "PATH") and value.strip("\"'") != "/opt/java/openjdk":
                    return (f"line {env.start_line}: the file sets {key}, which names the build image's folders; "
                            f"the JRE image has its own (JAVA_HOME=/opt/java/openjdk); split by hand")
        runtime = f"{jvm_data()['runtime']['image']}:{major}-jre{variant}"
        extra = _runtime_files(model, build, cwd, artifact)
        if isinstance(extra, str):
            return extra
        copies = [Copy(artifact)] + [Copy(p) for p in extra]
        checked = dataclasses.replace(build, file_paths=[p for p in build.file_paths if not _project_folder(model, cwd, p)])
        why = uncovered_paths(checked, copies)
        if why:
            return why
        what = (f"the application installDist writes ({posixpath.basename(artifact)}/, with its bin/ script)"
                if kind == "install" else posixpath.basename(artifact))
        message = (f"split into a build stage ({build.base.text}) and a runtime on {runtime} with only {what}"
                   + (f" and {', '.join(c.path for c in copies[1:])}" if copies[1:] else "")
                   + ": no JDK, build tool or dependency cache in the image")
        return split_fix(model, build, runtime=runtime, copies=copies, message=message, runtime_packages=packages)


def _java(ref) -> "tuple[str, str] | str":
    """(Java major, JRE tag variant) of a JDK build image; a reason when the split cannot choose its JRE."""
    data = jvm_data()["runtime"]
    key = ref.path.rsplit("/", 1)[-1]
    tag = (ref.tag or "").lower()
    if key == "amazoncorretto" or any(re.search(rf"(?:^|-){re.escape(v)}(?:-|\d|$)", tag) for v in data["other-vendors"]):
        return (f"{ref.text} is a JDK of its own vendor, which does not publish a JRE image for every Java version; "
                f"name a runtime by hand (such as {data['image']}:<major>-jre, if another vendor's JRE will do)")
    if key == "gradle":
        m = re.match(r"(\d+)", tag)
        if m and int(m.group(1)) < 6:
            return (f"{ref.text} is a Gradle image of the years it ended with `USER gradle`: the JRE runtime "
                    f"would run as root; a `USER 1000` (gradle's uid) in the file would let it split")
        m = re.search(r"jdk-?(\d+)", tag)
    elif key == "maven":
        m = re.search(r"(?:temurin|openjdk|jdk)-?(\d+)", tag)
    else:
        m = re.match(r"(\d+)(?:u\d+)?(?:[._-]|$)", tag)
    if not m:
        return f"the Java version of {ref.text} cannot be read from its tag; name it in the tag (such as -jdk21)"
    major = m.group(1)
    if any(v in tag for v in data["other-variants"]):
        return (f"{ref.text} is built on a distribution other than Ubuntu, Debian or Alpine; the split's JRE "
                f"runtimes are {data['image']}'s Ubuntu and Alpine tags; split by hand")
    variant = ""
    if "alpine" in tag:
        variant = "-alpine"
        if major not in data["alpine-majors"]:
            return f"{data['image']} publishes no Alpine JRE for Java {major}; split by hand"
    for suite in ("noble", "jammy", "focal"):
        if suite in tag:
            variant = f"-{suite}"
    if major not in data["jre-majors"]:
        return f"{data['image']} publishes no JRE for Java {major} (only {', '.join(data['jre-majors'])}); split by hand"
    return major, variant


def _user(build) -> str | None:
    """Why the runtime could not repeat the file's USER: a user by name that no RUN of the file creates
    (the build image's own, such as gradle's), which the JRE image does not have."""
    if build.user is None or not build.user.arguments:
        return None
    name = build.user.arguments[0].split(":")[0]
    if name in ("root", "0") or name.isdigit() or "$" in name or build.users:
        return None
    return (f"line {build.user.start_line}: USER {name} is a user of the build image, which the JRE image does "
            f"not have; a RUN that creates it (or a numeric USER) would let the split repeat it")


def _command(build) -> "tuple[str, str] | str":
    """('jar', path) for `java … -jar path`, ('install', path) for a start script under build/install/;
    a reason otherwise. A shell form may set variables first (`export JAVA_OPTS=… && …`)."""
    words = list(build.entry)
    if not words and build.entry_shell:
        ins = next(i for i in reversed(build.moves) if i.keyword in ("CMD", "ENTRYPOINT"))
        words = _shell_words(" ".join(ins.arguments))
        if isinstance(words, str):
            return words
    if len(words) >= 3 and posixpath.basename(words[0]) in ("sh", "bash") and words[1] == "-c":
        words = _shell_words(words[2])  # ENTRYPOINT ["sh", "-c", "java $JAVA_OPTS -jar app.jar"]
        if isinstance(words, str):
            return words
    if not words:
        return "the image sets no command the split can read"
    program = posixpath.basename(words[0])
    if program == "java":
        if "-jar" not in words or words.index("-jar") + 1 >= len(words):
            return ("the command runs `java` on a class path, not `java -jar` on the jar the build writes; "
                    "the split follows `-jar` only")
        jar = words[words.index("-jar") + 1]
        if "*" in jar or "$" in jar:
            return "the jar is named by a pattern or a variable; name it to split"
        return "jar", jar
    if "/build/install/" in "/" + words[0] and "$" not in words[0]:
        return "install", words[0]
    return "the command does not run `java -jar` on the jar the build writes, nor a start script installDist writes"


_SHELL_FORM = ("the command's shell form does more than set variables and run the program "
               "(`export A=… && java … -jar …` is what the split follows); split by hand")


def _shell_words(text: str) -> "list[str] | str":
    try:
        lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        tokens = list(lexer)
    except ValueError:
        return "the command's shell form cannot be read"
    commands: list[list[str]] = [[]]
    for tok in tokens:
        if tok and set(tok) <= set("();<>|&"):
            if tok != "&&":
                return _SHELL_FORM
            commands.append([])
            continue
        commands[-1].append(tok)
    for c in commands[:-1]:
        if not c or c[0] != "export" or not all(re.match(r"[A-Za-z_]\w*=", w) for w in c[1:]):
            return _SHELL_FORM
    last = commands[-1]
    while last and re.match(r"[A-Za-z_]\w*=", last[0]):
        last = last[1:]
    if last[:1] == ["exec"]:
        last = last[1:]
    if any("$" in w or "`" in w for w in last[:1]):
        return "the command's program is named by a variable"
    return last


def _context_path(model, build, image_path: str) -> str | None:
    """The context path a COPY put at `image_path` (or the folder holding it), else None."""
    for ins in build.stage.instructions:
        if ins.keyword not in ("COPY", "ADD") or ins.flag("from") is not None or len(ins.arguments) < 2:
            continue
        landing = _landings(model, build, ins)
        for src, at in landing:
            if image_path == at:
                return src
            if image_path.startswith(at.rstrip("/") + "/") and (src == "." or model.context.known
                                                                  and (model.context.root / src).is_dir()):
                rest = image_path[len(at.rstrip("/")) + 1:]
                return rest if src == "." else f"{src}/{rest}"
    return None


def _landings(model, build, ins) -> list:
    """(context path, absolute image path) of each source of a COPY: a folder's contents land at the
    destination, a file at the destination or inside it (`dest/`)."""
    args = list(ins.arguments)
    dest = args[-1]
    workdir = build.workdir_at.get(id(ins), "/")
    absolute = posixpath.normpath(posixpath.join(workdir, dest))
    out = []
    for src in args[:-1]:
        clean = posixpath.normpath(src.lstrip("/")) if src not in ("/", "./") else "."
        is_dir = clean == "." or (model.context.known and (model.context.root / clean).is_dir())
        into = dest.endswith("/") or dest in (".", "..") or absolute in build.workdir_at.values()
        if is_dir or (len(args) == 2 and not into):
            out.append((clean, absolute))
        else:
            out.append((clean, posixpath.join(absolute, posixpath.basename(clean))))
    return out


def _maven(model, build, cwd: str, argv: list[str]):
    goals = [a for a in argv if not a.startswith("-")]
    if not any(g in ("package", "install", "verify", "deploy") or g.endswith((":single", ":repackage", ":shade"))
               for g in goals):
        return "the Maven command does not package a jar (package, install, assembly:single); split by hand"
    module = maven_module(argv)
    if module is None:
        return "the Maven command builds several modules; split by hand"
    folder = posixpath.normpath(posixpath.join(cwd, module))
    pom = _context_path(model, build, posixpath.join(folder, "pom.xml"))
    if pom is None:
        return f"the split cannot tell which pom.xml of the build context is {folder}/pom.xml"
    profiles = tuple(p for i, a in enumerate(argv) for p in
                     (a[2:] if a.startswith("-P") and len(a) > 2 else argv[i + 1] if a == "-P" and i + 1 < len(argv) else "")
                     .split(",") if p)
    defines = dict(a[2:].split("=", 1) for a in argv if a.startswith("-D") and "=" in a)
    return maven_output(model.context, posixpath.dirname(pom) or ".", profiles, defines), folder


_GRADLE_TASKS = ("build", "assemble", "jar", "bootJar", "shadowJar", "installDist")


def _gradle(model, build, cwd: str, argv: list[str], path: str, kind: str):
    tasks, skip = [], False
    for a in argv:
        if skip:
            skip = False
            continue
        if a in ("-x", "--exclude-task", "-p", "--project-dir", "-b", "--build-file", "-c", "--settings-file", "-g",
                 "--gradle-user-home", "-D", "-P", "--init-script", "-I"):
            if a in ("-p", "--project-dir", "-b", "--build-file", "-c", "--settings-file"):
                return "the Gradle command names its project folder or build file; split by hand"
            skip = True
            continue
        if not a.startswith("-"):
            tasks.append(a)
    wanted = [t for t in tasks if t.rsplit(":", 1)[-1] in _GRADLE_TASKS]
    if not wanted:
        return "the Gradle command runs none of build, assemble, jar, bootJar, shadowJar, installDist; split by hand"
    settings = _context_path(model, build, posixpath.join(cwd, "settings.gradle.kts")) or \
        _context_path(model, build, posixpath.join(cwd, "settings.gradle"))
    root_build = _context_path(model, build, posixpath.join(cwd, "build.gradle.kts")) or \
        _context_path(model, build, posixpath.join(cwd, "build.gradle"))
    anchor = settings or root_build
    if anchor is None:
        return f"the split cannot tell which build.gradle or settings.gradle of the build context is in {cwd}"
    rel_root = posixpath.dirname(anchor) or "."
    ctx = model.context if rel_root == "." else BuildContext.at(Path(model.context.root) / rel_root)
    task = wanted[-1]
    if kind == "install" and task.rsplit(":", 1)[-1] != "installDist":
        return "the command runs a start script, but the Gradle command does not run installDist"
    if ":" not in task.lstrip(":"):
        # a plain task runs in every project: the one whose output the command runs
        marker = "/build/install/" if kind == "install" else "/build/libs/"
        inside = path[len(cwd.rstrip("/")) + 1:] if path.startswith(cwd.rstrip("/") + "/") else None
        if inside is None or ("/" + inside).find(marker) < 0:
            return f"the command runs {path}, not an output of the Gradle build in {cwd}"
        sub = ("/" + inside)[:("/" + inside).find(marker)].strip("/")
        if sub and not _included(ctx, sub):
            return f"{sub}/ is not a project settings.gradle includes"
        task = (":" + sub.replace("/", ":") + ":" if sub else "") + task
    project = gradle_project(ctx, task)
    if isinstance(project, str):
        return project
    folder, name = project
    if folder == "." and not name:
        name = posixpath.basename(cwd)  # Gradle names the root project after its folder
    return gradle_output(ctx, folder, name), posixpath.normpath(posixpath.join(cwd, folder))


def _included(ctx, sub: str) -> bool:
    settings = (ctx.read_text("settings.gradle") or "") + (ctx.read_text("settings.gradle.kts") or "")
    path = sub.replace("/", ":")
    return bool(re.search(rf"['\"]:?{re.escape(path)}['\"]", settings))


def _project_folder(model, cwd: str, path: str) -> bool:
    """A folder a RUN makes for a Gradle project the build includes (`mkdir -p common with-db/r2dbc`): build-only."""
    if not path.startswith(cwd.rstrip("/") + "/"):
        return False
    return _included(model.context, path[len(cwd.rstrip("/")) + 1:])


def _build_input(model, src: str) -> bool:
    """A context path the build reads (pom.xml, src/, gradle/, a project folder), not the program at run time."""
    inputs = set(jvm_data()["maven"]["build-inputs"]) | set(jvm_data()["gradle"]["build-inputs"])
    parts = src.split("/")
    if parts[0] in inputs or parts[-1] in inputs:
        return True
    ctx = model.context
    if ctx.known and (ctx.root / src).is_dir():
        return any((ctx.root / src / n).exists() for n in ("pom.xml", "build.gradle", "build.gradle.kts", "src"))
    return False


def _runtime_files(model, build, cwd: str, artifact: str) -> "list[str] | str":
    """The image paths the runtime needs besides the artifact: what the file copies in that the build
    does not read (`COPY conf conf`, `COPY docker-entrypoint.sh /usr/local/bin/`), and the files the
    source opens by name (with the whole source copied: what its literals name)."""
    out: list[str] = []
    whole = False
    for ins in build.stage.instructions:
        if ins.keyword not in ("COPY", "ADD") or ins.flag("from") is not None or len(ins.arguments) < 2:
            continue
        for src, at in _landings(model, build, ins):
            if src == "." or at == build.workdir:
                whole = True
                continue
            if _build_input(model, src):
                continue
            if at not in out and at != artifact:
                out.append(at)
    if whole:
        ctx = model.context
        names = jvm_data()["run-time"]
        for src, dest in build.sources:
            if dest != build.workdir or not ctx.known:
                continue
            prefix = "" if src == "." else src.rstrip("/") + "/"
            found = [n for n in names["working-directory"] if ctx.exists(prefix + n)]
            for pattern in names["working-directory-patterns"]:
                found += [posixpath.basename(m) for m in ctx.glob(prefix + pattern)]
            for name in found:
                at = posixpath.join(build.workdir, name)
                if at not in out and not ctx.ignored(prefix + name):
                    out.append(at)
        read = files_read(model, build, (".java", ".kt"))
        if isinstance(read, str):
            return read
        out.extend(p for p in read if p not in out)
        return out
    # the source copied folder by folder: a file it opens by a relative name must be among the copies
    ctx = model.context
    for src, dest in build.sources:
        for path in context_files(ctx, ctx.root / src if src != "." else ctx.root, (".java", ".kt")):
            rel = path.relative_to(ctx.root).as_posix()
            if any(p in ("test", "tests") for p in rel.split("/")):
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            for pattern in _READ_CALLS.get(path.suffix, ()):
                for m in re.finditer(pattern, text):
                    line = text.count("\n", 0, m.start()) + 1
                    before = text[text.rfind("\n", 0, m.start()) + 1:m.start()].lstrip()
                    if before.startswith(("//", "/*", "*")):
                        continue
                    name = _literal_name(text, text[m.end():m.end() + 200])
                    if name is None:
                        return (f"{rel}:{line} opens a file by a computed name: the split cannot tell it is in the "
                                f"runtime; split by hand")
                    if not name or name.startswith("/"):
                        continue
                    target = posixpath.normpath(posixpath.join(build.workdir, name))
                    if not any(target == p or target.startswith(p.rstrip("/") + "/") for p in out):
                        return (f"{rel}:{line} opens {name}, which the runtime would not have (the file copies "
                                f"no such path apart from the build's inputs); split by hand")
    return out
