from __future__ import annotations

import posixpath
import re

from ..split import Copy, SplitRule, files_read, runtime_data, runtime_packages, split_fix, uncovered_paths, unknown_command, \
    debian_suite

_BUILD_TOOLS = {"mvn", "mvnw", "gradle", "gradlew", "java", "javac", "jar"}


class JavaSplit(SplitRule):
    """
    ## What it does
    Splits a single-stage Maven or Gradle build (wrappers included) whose
    command runs `java -jar` on the jar the build writes: the original stage
    builds (the `build` stage), and a runtime stage on the JRE of the same Java
    major (`eclipse-temurin:<major>-jre`) holds that jar at the same path. The
    jar is checked against the name `pom.xml` (`artifactId-version`,
    `finalName`) or the Gradle build (`rootProject.name-version`) gives it.

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
    (`javac`, `jcmd`) and files outside the jar. The rule declines when the
    command does not run a jar the build names, when the Java major cannot be
    read from the image tag, and for vendors other than Temurin/OpenJDK.
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
            return "no Maven or Gradle command builds a jar: the Java split follows only those"
        why = unknown_command(build, _BUILD_TOOLS | {"chmod"})
        if why:
            return why
        major, variant = _java(build.base)
        if major is None:
            return f"the Java version of {build.base.text} cannot be read from its tag"
        words = list(build.entry)
        if len(words) < 3 or words[0] != "java" or "-jar" not in words:
            return "the command does not run `java -jar` on the jar the build writes"
        jar = words[words.index("-jar") + 1]
        if "*" in jar or "$" in jar:
            return "the jar is named by a pattern; name it to split"
        path = posixpath.normpath(posixpath.join(build.workdir, jar))
        ins, cmd = builds[-1]
        cwd = build.workdir_at[id(ins)]
        maven = cmd.name in ("mvn", "mvnw")
        expected = _maven_jar(model) if maven else _gradle_jar(model)
        folder = posixpath.join(cwd, "target" if maven else "build/libs")
        if posixpath.dirname(path) != folder:
            return f"the command runs {path}, not a jar the build writes to {folder}"
        if expected is not None and posixpath.basename(path) != expected:
            return f"the command runs {posixpath.basename(path)}, but the build names its jar {expected}"
        packages, why = runtime_packages(build, debian_suite(build.base), model)
        if why:
            return why
        runtime = f"{runtime_data()['images']['java-jre']}:{major}-jre{variant}"
        read = files_read(model, build, (".java", ".kt"))
        if isinstance(read, str):
            return read
        copies = [Copy(path)] + [Copy(p) for p in read]
        why = uncovered_paths(build, copies)
        if why:
            return why
        message = (f"split into a build stage ({build.base.text}) and a runtime on {runtime} with only "
                   f"{posixpath.basename(path)}" + (f" and {', '.join(c.path for c in copies[1:])}" if copies[1:] else "")
                   + ": no JDK, build tool or dependency cache in the image")
        return split_fix(model, build, runtime=runtime, copies=copies, message=message, runtime_packages=packages)


def _java(ref) -> tuple[str | None, str]:
    key = ref.path.rsplit("/", 1)[-1]
    tag = (ref.tag or "").lower()
    if key == "amazoncorretto":
        return None, ""
    variant = "-alpine" if "alpine" in tag else ""
    for suite in ("jammy", "noble", "focal"):
        if suite in tag:
            variant = f"-{suite}"
    if key == "maven":
        m = re.search(r"(?:temurin|openjdk|jdk)-?(\d+)", tag)
    elif key == "gradle":
        m = re.search(r"jdk-?(\d+)", tag)
    else:
        m = re.match(r"(\d+)", tag)
    return (m.group(1) if m else None), variant


def _maven_jar(model) -> str | None:
    pom = model.context.read_text("pom.xml")
    if not pom:
        return None
    body = re.sub(r"<parent>.*?</parent>", "", pom, flags=re.S)
    body = re.sub(r"<dependencies>.*?</dependencies>|<build>\s*<plugins>.*?</plugins>", "", body, flags=re.S)
    final = re.search(r"<finalName>([^<$]+)</finalName>", pom)
    if final:
        return final.group(1).strip() + ".jar"
    artifact = re.search(r"<artifactId>([^<]+)</artifactId>", body)
    version = re.search(r"<version>([^<]+)</version>", body)
    if not artifact or not version or "$" in version.group(1):
        return None
    return f"{artifact.group(1).strip()}-{version.group(1).strip()}.jar"


def _gradle_jar(model) -> str | None:
    ctx = model.context
    settings = (ctx.read_text("settings.gradle") or "") + (ctx.read_text("settings.gradle.kts") or "")
    build = (ctx.read_text("build.gradle") or "") + (ctx.read_text("build.gradle.kts") or "")
    if re.search(r"archiveFileName|archiveBaseName|archiveVersion|bootJar", build):
        return None
    name = re.search(r"rootProject\.name\s*=\s*['\"]([^'\"]+)['\"]", settings)
    version = re.search(r"^\s*version\s*=\s*['\"]([^'\"]+)['\"]", build, re.M)
    if not name:
        return None
    return f"{name.group(1)}-{version.group(1)}.jar" if version else f"{name.group(1)}.jar"
