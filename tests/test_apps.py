"""The applications of corpus/apps/: real, small projects with a legacy single-stage Dockerfile.

Each folder holds the source, the manifests, the `Dockerfile` and `expected`: what
`refactor` writes with every rule at the default level (or the `level` its
`case.toml` names). Checked here without building anything:

- the output is `expected`, BuildKit's parser accepts it, a second run changes nothing;
- the final image keeps the original configuration (at the review level);
- every `COPY --from` names a stage of the file and a path that stage produces, as far
  as the steps of the stage tell (a copy of the context, a WORKDIR, a virtual
  environment, a compiler's output, an installer's folder).

`python tests/test_apps.py --update` rewrites the `expected` files after a deliberate change.
"""

from __future__ import annotations

import posixpath
import re
import sys
import tomllib
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from judge import reference, version_difference  # noqa: E402
from refactor.engine.engine import refactor  # noqa: E402
from refactor.model import Model, Options  # noqa: E402
from refactor.model.imageconfig import image_config  # noqa: E402
from refactor.syntax import parse  # noqa: E402

APPS = Path(__file__).resolve().parents[1] / "corpus" / "apps"
CASES = sorted(p.parent for p in APPS.glob("*/Dockerfile")) if APPS.is_dir() else []
ECOSYSTEMS = ("node", "python", "go", "rust", "java", "dotnet", "ruby", "php", "static", "c")
PIN_DATE = "2026-11-15"


def spec(case: Path) -> dict:
    path = case / "case.toml"
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def run(case: Path, text: str | None = None):
    text = (case / "Dockerfile").read_text(encoding="utf-8") if text is None else text
    return refactor(text, path=str(case / "Dockerfile"), context=case, level=spec(case).get("level", "review"),
                    options=Options(pin_date=PIN_DATE))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_app_is_refactored_as_expected(case: Path) -> None:
    result = run(case)
    assert result.code == (case / "expected").read_text(encoding="utf-8")
    assert any(c.code.startswith("MS") for c in result.changes), "the build is split"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_app_output_is_accepted_by_buildkit_and_stable(case: Path) -> None:
    out = (case / "expected").read_text(encoding="utf-8")
    if not version_difference(out):
        judged = reference(out)
        assert not isinstance(judged, str), judged
    again = run(case, out)
    assert again.code == out, [c.code for c in again.changes]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_app_final_configuration_is_kept(case: Path) -> None:
    if spec(case).get("level") == "unsafe":
        pytest.skip("an unsafe split replaces the command (see the case's notes)")
    before = image_config(parse((case / "Dockerfile").read_text(encoding="utf-8")))
    after = image_config(parse((case / "expected").read_text(encoding="utf-8")))
    assert before.kept_by(after) == []


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_every_copy_from_names_a_stage_and_a_path_it_produces(case: Path) -> None:
    df = parse((case / "expected").read_text(encoding="utf-8"))
    model = Model(df)
    original = parse((case / "Dockerfile").read_text(encoding="utf-8"))
    images = {i.flag("from").lower() for st in original.stages for i in st.instructions
              if i.keyword == "COPY" and i.flag("from") and i.flag("from").lower() not in {s.name for s in original.stages if s.name}}
    produced: dict[str, list[str]] = {}
    for stage in df.stages:
        for ins in stage.instructions:
            source = ins.flag("from") if ins.keyword == "COPY" else None
            if source is None or source.lower() not in produced and source.lower() in images:
                continue  # the original's own copy from an image (a tool such as composer), kept as it was
            assert source.lower() in produced, f"line {ins.start_line}: COPY --from={source} names no earlier stage"
            paths = produced[source.lower()]
            for src in ins.arguments[:-1]:
                assert any(src == p or src.startswith(p.rstrip("/") + "/") for p in paths), \
                    f"line {ins.start_line}: {src} is not produced by stage {source} ({paths})"
        if stage.name:
            produced[stage.name] = _produced(model, stage)


def _produced(model: Model, stage) -> list[str]:
    """Paths the stage creates, read from its steps: its own tracker, independent of the rules."""
    out: list[str] = []
    workdir = "/"
    for ins in stage.instructions[1:]:
        if ins.keyword == "WORKDIR":
            workdir = posixpath.normpath(posixpath.join(workdir, ins.arguments[0]))
            out.append(workdir)
        elif ins.keyword in ("COPY", "ADD") and not ins.flag("from"):
            out.append(posixpath.normpath(posixpath.join(workdir, ins.arguments[-1])))
        elif ins.keyword == "RUN":
            script = model.script(ins)
            for cmd in script.commands if script else ():
                argv = [a or "" for a in cmd.argv]
                name = cmd.name
                if name in ("python", "python3") and argv[1:3] == ["-m", "venv"]:
                    out.append(argv[-1])
                elif name == "go" and "-o" in argv:
                    out.append(posixpath.normpath(posixpath.join(workdir, argv[argv.index("-o") + 1])))
                elif name == "go" and argv[1:2] == ["install"]:
                    out.append("/go/bin")  # $GOPATH/bin of the golang images
                elif re.fullmatch(r"a2(en|dis)(mod|site|conf)", name or ""):
                    out.append("/etc/apache2")
                elif name in ("sed", "mv", "cp", "ln"):
                    # a configuration file of the php image changed: its folder is the stage's own
                    for word in cmd.words[1:]:
                        path = word.text.strip("\"'").replace("${PHP_INI_DIR}", "/usr/local/etc/php") \
                            .replace("$PHP_INI_DIR", "/usr/local/etc/php")
                        out += [d for d in ("/usr/local/etc", "/etc/apache2") if path.startswith(d + "/")]
                elif name == "cargo" and "--release" in argv:
                    out.append(posixpath.join(workdir, "target/release"))
                elif name in ("mvn", "mvnw") and "package" in argv:
                    out.append(posixpath.join(workdir, "target"))
                elif name in ("gradle", "gradlew") and any(a.endswith("installDist") for a in argv):
                    task = next(a for a in argv if a.endswith("installDist"))
                    project = "/".join(p for p in task.split(":")[:-1] if p)
                    out.append(posixpath.normpath(posixpath.join(workdir, project, "build/install")))
                elif name in ("gradle", "gradlew") and ("build" in argv or "bootJar" in argv):
                    out.append(posixpath.join(workdir, "build/libs"))
                elif name == "dotnet" and "-o" in argv:
                    out.append(posixpath.normpath(posixpath.join(workdir, argv[argv.index("-o") + 1])))
                elif re.fullmatch(r"pip\d?", name or "") and "install" in argv:
                    # outside a virtual environment: the prefix a distribution's pip uses
                    out += ["/usr/local/lib", "/usr/local/bin", "/root/.local"]
                elif name == "bundle":
                    out.append("/usr/local/bundle")
                elif name in ("docker-php-ext-install", "pecl"):
                    out += ["/usr/local/lib/php/extensions", "/usr/local/etc/php/conf.d"]
                elif name in ("make", "cmake") or re.fullmatch(r"g?cc|g\+\+|clang\+?\+?", name or ""):
                    out.append(workdir)  # a build tool writes inside the folder it runs in
    return out


def test_every_ecosystem_has_two_apps() -> None:
    counts = {e: 0 for e in ECOSYSTEMS}
    for case in CASES:
        counts[spec(case).get("ecosystem", "?")] = counts.get(spec(case).get("ecosystem", "?"), 0) + 1
    assert {e: n for e, n in counts.items() if n < 2} == {}


def _update() -> None:
    for case in CASES:
        (case / "expected").write_text(run(case).code, encoding="utf-8")
        print("updated", case.relative_to(APPS))


if __name__ == "__main__":
    if "--update" in sys.argv:
        _update()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_app_without_a_build_context_does_not_fail(case: Path) -> None:
    # the API without a context, an editor's unsaved buffer: the rules read nothing, never crash
    text = (case / "Dockerfile").read_text(encoding="utf-8")
    result = refactor(text, level=spec(case).get("level", "review"), options=Options(pin_date=PIN_DATE))
    assert result.code == text or parse(result.code)
