"""Writing the stages: the original becomes `build`, a runtime stage follows it; the rule class the MS rules share."""

from __future__ import annotations

import re

from ...syntax.edits import InsertAfter, InsertBefore, Remove, Replace
from ...model.images import image_facts
from ...syntax.image import ImageRef
from ..base import Fix, Rule, Safety, Skip
from .build import BUILDER, Copy, Build, distro_language, read_build
from .runtime import runtime_packages, left_behind_note, debian_suite, install_line


# the runtime stage's name, and the one-line descriptions above each stage's FROM, starting with the
# stage's name as BuildKit's InvalidDefinitionDescription check reads them (`docker build --call=outline`)
RUNTIME = "runtime"
BUILD_WHAT = "installs the dependencies and builds the application; nothing in this stage ships"
RUNTIME_WHAT = "the image that ships: what the application runs, without the build's tools and caches"


class SplitRule(Rule):
    """Shared by the MS rules: which build each one owns, and the reasons it declines in common."""

    ecosystem: str
    images: tuple[str, ...] = ()  # the build images it splits, by the last part of their name
    safety = Safety.REVIEW
    reports_multistage = True  # one rule per base image says the file is already split
    # also takes a distribution image (DISTROS) on which the stage installs this ecosystem's language with
    # the OS package manager; a rule sets it once its runtime choice keeps such a base (same image and tag)
    distro = False

    def owns(self, model) -> bool:
        if model.base_image(model.stages[0]).path.rsplit("/", 1)[-1] in self.images:
            return True
        return self.distro and distro_language(model)[0] == self.ecosystem

    def check(self, model):
        if not model.stages or not self.owns(model):
            return
        build = read_build(model)
        if build is None:
            if self.reports_multistage:
                yield Skip("already multi-stage: the stages are left as they are", model.stages[-1].from_instruction,
                           settled=True)
            return
        if isinstance(build, str):
            yield _skip(build, model.stages[0])
            return
        outcome = self.plan(model, build)
        if isinstance(outcome, str):
            yield _skip(outcome, build.stage)
        elif outcome is not None:
            yield outcome

    def plan(self, model, build: Build):  # pragma: no cover - interface
        raise NotImplementedError


def _skip(reason: str, stage) -> Skip:
    """A Skip reported at the instruction a reason names (`line 4: …`), else at the FROM."""
    m = re.match(r"line (\d+): ", reason)
    if m:
        line = int(m.group(1))
        for ins in stage.instructions:
            if ins.start_line == line:
                return Skip(reason[m.end():], ins)
    return Skip(reason, stage.from_instruction)


def split_fix(model, build: Build, *, runtime: str, copies: list[Copy], message: str, safety=Safety.REVIEW,
              builder_steps: list[str] = (), runtime_env: list[str] = (), runtime_packages: list[str] = (),
              runtime_steps: list[str] = (), dropped: tuple = (), runtime_workdir: str | None = None,
              builder_platform: str | None = None, stages_before: list[str] = ()) -> Fix:
    """The edits of a split, as one fix: the stage becomes `build`, a runtime stage follows it.

    `stages_before` are stages written above the builder, each its lines (a `deps` stage that
    installs the production dependencies from the manifests alone)."""
    style = model.style
    nl = style.newline
    frm = build.stage.from_instruction
    own = frm.own_code
    body = own.rstrip("\r\n")
    ending = own[len(body):] or nl
    if build.repin:
        raw = build.stage.base_name
        body = body.replace(raw, build.base.text, 1)
        message += f"; {build.repin}"
    if builder_platform:  # `FROM --platform=$BUILDPLATFORM golang`: the builder runs natively, cross-compiling
        body = re.sub(r"^(\s*\S+\s+)", lambda m: f"{m.group(1)}--platform={builder_platform} ", body, count=1)
    builder = build.stage.name or BUILDER  # a stage named already keeps its name (`FROM maven AS builder`)
    runtime_name = RUNTIME if builder != RUNTIME else "app"
    edits = [InsertBefore(frm, f"# {builder} {BUILD_WHAT}", above_comments=False, verbatim=True)]
    edits[:0] = [InsertBefore(frm, style.render("\n".join([*lines, ""])) + nl, above_comments=True, verbatim=True)
                 for lines in stages_before]
    if build.stage.name is None or build.repin or builder_platform:
        named = body if build.stage.name else f"{body} {style.keyword('AS')} {builder}"
        edits.append(Replace(frm, f"{named}{ending}", verbatim=True))
    last = build.last_step()
    steps_end = build.last_build_step() or last
    moved = [m for m in build.moves] + ([build.user] if build.user_moves else []) + list(build.moved_users)
    for ins in moved:
        edits.append(Remove(ins))
    if builder_steps:
        edits.append(InsertAfter(steps_end, style.render("\n".join(builder_steps)) + nl, verbatim=True))
    platform = build.stage.platform
    lines = [f"# {runtime_name} {RUNTIME_WHAT}", f"FROM {'--platform=' + platform + ' ' if platform else ''}{runtime} "
             f"{style.keyword('AS')} {runtime_name}"]
    new = [style.render("\n".join(lines)) + nl]
    install = install_line("apk" if build.family == "alpine" else build.package_tool, list(runtime_packages),
                           build.no_recommends)
    late = needs_install(build.carried) if install else []
    for ins in build.carried:
        if ins.keyword in ("ARG", "ENV", "SHELL") and all(ins is not x for x, _ in late):
            new.append(_verbatim(ins, nl))
    tail = []
    if runtime_packages and "installs" not in message:
        message += f", installing {', '.join(runtime_packages)}"
    note = left_behind_note(build, debian_suite(build.base), model)
    if note:
        message += f"; {note}"
    if install:
        tail.append(install)
    if late:
        message += (f"; {'the ENVs of lines' if len(late) > 1 else 'the ENV of line'} {', '.join(str(i.start_line) for i, _ in late)} "
                    f"{'follow' if len(late) > 1 else 'follows'} the runtime's package install ({'; '.join(w for _, w in late)})")
        new.append(style.render("\n".join(tail)) + nl)
        tail = []
        new.extend(_verbatim(ins, nl) for ins, _ in late)
    for ins in build.users:
        new_text = style.render("\n".join(tail)) + nl if tail else ""
        if new_text:
            new.append(new_text)
            tail = []
        new.append(_verbatim(ins, nl))
    if build.image_copies:
        message += "; repeats the copy from " + ", ".join(
            f"{ins.flag('from')} (line {ins.start_line})" for ins in build.image_copies)
        if tail:
            new.append(style.render("\n".join(tail)) + nl)
            tail = []
        new.extend(_verbatim(ins, nl) for ins in build.image_copies)
    tail.extend(runtime_steps)
    tail.append(f"WORKDIR {runtime_workdir or build.workdir}")
    tail.extend(runtime_env)
    for c in copies:
        if c.line:
            tail.append(c.line)
            continue
        chown = f"--chown={c.chown} " if c.chown else ""
        tail.append(f"COPY --from={c.stage or builder} {chown}{c.path} {c.dest or c.path}")
    new.append(style.render("\n".join(tail)) + nl)
    if build.user is not None:
        new.append(_verbatim(build.user, nl) if build.user_moves else _repeated_user(build, runtime, nl))
    gone = {id(i) for i in dropped}
    for ins in build.moves:
        if id(ins) not in gone:
            new.append(_verbatim(ins, nl))
    edits.append(InsertAfter(last, nl + "".join(new), verbatim=True))
    return Fix(frm, message, safety, tuple(edits))


# variables whose value is a file an installed package provides: set before the install, they
# point at nothing while it runs (LD_PRELOAD of a missing library warns in every command)
_FILE_VARIABLES = {"LD_PRELOAD", "LD_LIBRARY_PATH", "JAVA_HOME", "MAGICK_HOME", "GDAL_DATA", "PROJ_LIB",
                   "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "FONTCONFIG_PATH"}


_INSTALLED_PATH = re.compile(r"(?:^|[\s:=\"'])(?:/usr/(?:lib|share|libexec)/|/etc/(?:ssl|alternatives)/)|\blib[\w+-]*\.so\b")


def needs_install(carried: list) -> list:
    """The carried ENV (and ARG defaults) that name a file or library an install provides
    (`LD_PRELOAD=libjemalloc.so.2`, `JAVA_HOME=/usr/lib/jvm/…`), with those that use them:
    the runtime stage sets them after its package install, not before."""
    late: list = []  # (instruction, why)
    names: set[str] = set()
    for ins in carried:
        pairs = list(ins.pairs) if ins.keyword == "ENV" else []
        if ins.keyword == "ARG":
            pairs = [tuple(a.split("=", 1)) for a in ins.arguments if "=" in a]
        for k, v in pairs:
            value = v.strip("\"'")
            uses = any(re.search(rf"\$\{{?{re.escape(n)}\b", value) for n in names)
            if k in _FILE_VARIABLES and value or _INSTALLED_PATH.search(value) or uses:
                late.append((ins, f"{k} uses a variable set there" if uses else f"{k} names a file or library, which a package may provide"))
                names.update(k2 for k2, _ in pairs)
                break
    return late


def _verbatim(ins, nl: str) -> str:
    """The instruction with its comment lines, without the blank lines before them."""
    code = "".join(t.code for t in ins.leading if type(t).__name__ != "BlankLine") + ins.own_code
    return code if code.endswith("\n") else code + nl


def _repeated_user(build: Build, runtime: str, nl: str) -> str:
    """The build's USER, repeated in the runtime stage. The image's own user named (`USER node`) is
    written by its uid, as the image defines it, so the new line draws no DL3066 (a name the host
    may not resolve): the runtime is the same image repository, whose user has the same uid."""
    words = build.user.arguments[0].split(":") if build.user.arguments else []
    facts = image_facts(build.base)
    same_repo = ImageRef.parse(runtime).path == build.base.path
    if words and facts.user and facts.uid and same_repo and words[0] == facts.user and (
            len(words) == 1 or words[1] == facts.user):
        return f"# the image's own user {facts.user}{nl}USER {facts.uid}{nl}"
    return _own(build.user, nl)


def _own(ins, nl: str) -> str:
    code = ins.own_code
    return code if code.endswith("\n") else code + nl
