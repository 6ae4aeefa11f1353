from __future__ import annotations

import re

from ...engine.edits import InsertAfter, InsertBefore
from ...model.images import image_facts
from ..base import Fix, Rule, Safety, Skip

APP_USER = "app"
# commands that start as root and switch user themselves
_DROPS_PRIVILEGES = re.compile(r"\b(gosu|su-exec|setpriv|runuser|chpst|s6-setuidgid|su)\b")
# instructions that configure the image rather than build it: the user goes before them
TRAILING = frozenset({"CMD", "ENTRYPOINT", "EXPOSE", "HEALTHCHECK", "STOPSIGNAL", "LABEL", "VOLUME"})


class NonRootUser(Rule):
    """
    ## What it does
    Makes the final stage run as a non-root user that fits its base image:
    the user the image already ships (`node` in `node`, `app` in .NET images,
    `nonroot` in distroless), a numeric user on `scratch`, or a system user
    created with `groupadd`/`useradd` on Debian and Ubuntu and
    `addgroup -S`/`adduser -S` on Alpine and BusyBox. Directories named by
    `VOLUME` are given to that user, so the application can write there.

    ## Why
    A process running as root inside the container is root on the host's
    kernel: a compromise of the application is a much larger one. hadolint
    reports DL3002 when the last user is root.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    COPY . /app
    CMD ["python", "/app/main.py"]
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    COPY . /app
    RUN groupadd --system app && useradd --system --gid app --no-create-home app
    USER app
    CMD ["python", "/app/main.py"]
    ```

    ## Fix safety
    Review: the application no longer runs as root, so it can no longer write
    to files the build copied (they stay owned by root, readable by all) or
    bind ports below 1024. The rule declines, and says why, when the stage
    sets no CMD or ENTRYPOINT (it may be a base image others build on, whose
    RUN steps would stop running as root), when a port below 1024 is exposed, when the base image's entrypoint must start as root and
    drops privileges itself (official nginx, httpd, postgres, redis, …), when
    the command switches user itself (gosu, su-exec), when a USER is already
    set, and when it cannot tell how to add a user to the base image.
    """

    code = "US001"
    name = "non-root-user"
    title = "Run the final stage as a non-root user"
    rationale = "A containerised process running as root turns any compromise of the application into root on the host kernel."
    resolves = ("DL3002",)
    safety = Safety.REVIEW

    def check(self, model):
        stage = model.final_stage
        if stage is None:
            return
        chain = model.stage_chain(stage)
        users = [i for s in chain for i in s.instructions if i.keyword == "USER"]
        last_root = bool(users) and _is_root(users[-1])
        if users and not last_root:
            return  # a non-root USER is already set
        if last_root:
            earlier = [u for u in users[:-1] if not _is_root(u)]
            if earlier:
                name = earlier[-1].arguments[0]
                yield Fix(users[-1], f"the last USER is root: switch back to {name} after the root-only steps",
                          Safety.REVIEW, (InsertAfter(_last_build_step(model, stage), f"USER {name}"),))
                return
        root_stage = chain[0]
        ref = model.base_image(root_stage)
        facts = image_facts(ref)
        anchor = stage.from_instruction
        if ref.is_symbolic:
            yield Skip(f"the base image {ref} is built from ARGs: cannot tell how to add a user", anchor)
            return
        if facts.starts_as_root:
            yield Skip(facts.starts_as_root, anchor)
            return
        ports = [p for s in chain for i in s.instructions if i.keyword == "EXPOSE" for p in i.arguments]
        low = [p for p in ports if _port_number(p) is not None and _port_number(p) < 1024]
        if low:
            yield Skip(f"port {low[0]} is below 1024: a non-root user cannot bind it without CAP_NET_BIND_SERVICE", anchor)
            return
        commands = [i for s in chain for i in s.instructions if i.keyword in ("CMD", "ENTRYPOINT")]
        if not commands:
            yield Skip("the final stage sets no CMD or ENTRYPOINT: it may be a base for other images, "
                       "whose RUN steps would then run as a non-root user", anchor)
            return
        for c in commands:
            if _DROPS_PRIVILEGES.search(" ".join(c.arguments)):
                yield Skip("the command switches user itself (it starts as root on purpose)", c)
                return
        entry_scripts = [c for c in commands if c.keyword == "ENTRYPOINT"]
        for c in entry_scripts:
            script = _entrypoint_script(model, c)
            if script and _DROPS_PRIVILEGES.search(script):
                yield Skip("the entrypoint script switches user itself (it starts as root on purpose)", c)
                return
        if facts.family == "distroless" and "nonroot" in (ref.tag or ""):
            return  # runs as nonroot already
        volumes = [v for s in chain for i in s.instructions if i.keyword == "VOLUME" for v in i.arguments]
        lines, user = _user_lines(facts, volumes)
        if lines is None:
            yield Skip(f"cannot tell how to add a user to {ref} (family unknown): add one by hand", anchor)
            return
        before = model.trailing_config(stage, TRAILING)
        code = "\n".join(lines)
        edit = InsertBefore(before, code, above_comments=True) if before is not None else InsertAfter(stage.instructions[-1], code)
        if facts.family == "scratch":
            what = "the numeric user 65532:65532 (scratch has no user database)"
        elif facts.user:
            what = f"the image's own user {user}"
        else:
            what = f"a system user {user}"
        yield Fix(stage.from_instruction, f"the final stage runs as root: it now runs as {what}", Safety.REVIEW, (edit,))


def _is_root(ins) -> bool:
    value = ins.arguments[0] if ins.arguments else ""
    return value.split(":")[0] in ("root", "0")


def _last_build_step(model, stage):
    """The last instruction of the stage before its trailing configuration (CMD, EXPOSE, …)."""
    point = model.trailing_config(stage, TRAILING)
    if point is None:
        return stage.instructions[-1]
    idx = next(i for i, x in enumerate(stage.instructions) if x is point)
    return stage.instructions[max(idx - 1, 0)]



def _port_number(p: str) -> int | None:
    m = re.match(r"(\d+)", p)
    return int(m.group(1)) if m else None


def _entrypoint_script(model, ins) -> str | None:
    """The text of a script in the build context that ENTRYPOINT runs, when it can be found."""
    if not ins.arguments or not model.context.known:
        return None
    first = ins.arguments[0].split()[0] if not ins.is_exec_form else ins.arguments[0]
    name = first.rsplit("/", 1)[-1]
    for candidate in (name, f"docker/{name}", f"scripts/{name}"):
        text = model.context.read_text(candidate)
        if text is not None:
            return text
    return None


def _user_lines(facts, volumes) -> tuple[list[str] | None, str]:
    chown = ""
    if facts.user:
        user = facts.user
        if volumes:
            dirs = " ".join(volumes)
            return [f"RUN mkdir -p {dirs} && chown {user} {dirs}", f"USER {user}"], user
        return [f"USER {user}"], user
    if facts.family == "scratch":
        return ["USER 65532:65532"], "65532"
    if volumes:
        dirs = " ".join(volumes)
        chown = f" \\\n    && mkdir -p {dirs} && chown {APP_USER}:{APP_USER} {dirs}"
    if facts.family in ("debian", "ubuntu"):
        return [
            f"RUN groupadd --system {APP_USER} \\\n    && useradd --system --gid {APP_USER} --no-create-home "
            f"--home-dir /nonexistent --shell /usr/sbin/nologin {APP_USER}{chown}",
            f"USER {APP_USER}",
        ], APP_USER
    if facts.family in ("alpine", "busybox"):
        return [
            f"RUN addgroup -S {APP_USER} \\\n    && adduser -S -G {APP_USER} -H -h /nonexistent -s /sbin/nologin {APP_USER}{chown}",
            f"USER {APP_USER}",
        ], APP_USER
    return None, ""
