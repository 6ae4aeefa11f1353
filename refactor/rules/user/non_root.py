from __future__ import annotations

import re

from ...engine.edits import InsertAfter, InsertBefore
from ...model.images import image_facts
from ...model.service import service_port
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
    `addgroup -S`/`adduser -S` on Alpine and BusyBox. A user it creates is
    created before the stage's first `COPY`, so that layer stays cached when the
    source changes; `USER` goes before the closing configuration. Directories named by
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
    RUN groupadd --system app && useradd --system --gid app --no-create-home app
    COPY . /app
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
        anchor = users[-1] if last_root else stage.from_instruction  # pragmas on USER root apply
        if ref.is_symbolic or not ref.text:
            yield Skip(f"the base image {root_stage.base_name} is built from ARGs: cannot tell how to add a user", anchor)
            return
        if _is_windows(model, stage, ref):
            yield Skip("a Windows image: users there are not Linux users (nanoserver runs as ContainerUser already)", anchor)
            return
        if facts.starts_as_root:
            yield Skip(facts.starts_as_root, anchor)
            return
        instructions = [i for s in chain for i in s.instructions]
        env: dict[str, str] = {}
        for s in chain:
            env.update(model.stage_env(s))
        ports = [p for i in instructions if i.keyword == "EXPOSE" for p in i.arguments]
        service = service_port(instructions, env)
        if service.port is not None:
            ports.append(str(service.port))
        low = [p for p in ports if _port_number(p) is not None and _port_number(p) < 1024]
        if low:
            yield Skip(f"port {low[0]} is below 1024: a non-root user cannot bind it without CAP_NET_BIND_SERVICE", anchor)
            return
        commands = [i for i in instructions if i.keyword in ("CMD", "ENTRYPOINT")]
        if not commands:
            yield Skip("the final stage sets no CMD or ENTRYPOINT: it may be a base for other images, "
                       "whose RUN steps would then run as a non-root user", anchor)
            return
        why = _needs_root(commands, instructions)
        if why:
            yield Skip(why, anchor)
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
        own = _created_user(model, instructions)
        if own is not None:
            lines, user = [f"USER {own}"], own
            facts = type(facts)(facts.key, facts.family, own, facts.runtimes, facts.tools)
        else:
            lines, user = _user_lines(facts, volumes)
        if lines is None:
            yield Skip(f"cannot tell how to add a user to {ref} (family unknown): add one by hand", anchor)
            return
        before = model.trailing_config(stage, TRAILING)
        edits = []
        creation = _first_copy(stage, before) if len(lines) > 1 and lines[0].startswith("RUN ") else None
        if creation is not None:
            # the user does not depend on the application: created before the first copy, its layer
            # stays cached when the source changes
            edits.append(InsertBefore(creation, lines[0], above_comments=True))
            lines = lines[1:]
        code = "\n".join(lines)
        edits.append(InsertBefore(before, code, above_comments=True) if before is not None
                     else InsertAfter(stage.instructions[-1], code))
        if facts.family == "scratch":
            what = "the numeric user 65532:65532 (scratch has no user database)"
        elif own is not None:
            what = f"the user {user} this Dockerfile creates"
        elif facts.user:
            what = f"the image's own user {user}"
        else:
            what = f"a system user {user}"
        yield Fix(stage.from_instruction, f"the final stage runs as root: it now runs as {what}", Safety.REVIEW, tuple(edits))


# the first word of a command that is a shell or a language prompt: an image to build on or to use by hand
_INTERACTIVE = {"bash", "sh", "ash", "zsh", "python", "python3", "node", "irb", "ruby", "php", "jshell", "ghci",
                "iex", "erl", "R", "julia", "lua", "perl"}
# commands that need root to do their job
_ROOT_COMMANDS = {"iptables", "ip6tables", "iptables-restore", "ip6tables-restore", "ipvsadm", "nft", "tc", "cron", "crond", "supervisord", "nsenter", "sshd", "systemd",
                  "init", "mount", "modprobe", "sysctl", "dockerd", "ganesha.nfsd", "pptpd", "openvpn", "wg-quick"}


def _needs_root(commands, instructions) -> str | None:
    """Why the image looks like it must run as root, or None."""
    words = []
    for c in commands:
        text = " ".join(c.arguments) if c.is_exec_form else (c.arguments[0] if c.arguments else "")
        words += [w.rsplit("/", 1)[-1] for w in re.split(r"[\s;&|()]+", text) if w]
    last = commands[-1]
    if last.keyword == "CMD" and not any(c.keyword == "ENTRYPOINT" for c in commands):
        argv = list(last.arguments) if last.is_exec_form else (last.arguments[0].split() if last.arguments else [])
        if argv and argv[0].rsplit("/", 1)[-1] in _INTERACTIVE and len(argv) <= 2 and not any(a.endswith((".py", ".js", ".rb", ".php")) for a in argv[1:]):
            return (f"the command is an interactive {argv[0]}: the image is likely a base for others, "
                    "whose RUN steps would then run as a non-root user")
    rooted = sorted({w for w in words if w in _ROOT_COMMANDS})
    if rooted:
        return f"the command runs {rooted[0]}, which needs root"
    if _DROPS_PRIVILEGES.search(" ".join(words)):
        return "the command switches user itself (it starts as root on purpose)"
    for ins in instructions:
        if ins.keyword in ("COPY", "ADD") and ins.arguments and ins.arguments[-1].startswith(("/root/", "~/")):
            return f"the build puts {ins.arguments[-1]} in root's home for the process to read"
        if ins.keyword == "ENV" and any(k == "HOME" and v.strip("\"'") == "/root" for k, v in ins.pairs):
            return "HOME is /root: the process expects root's home"
        if ins.keyword == "RUN" and re.search(r"\bpip3?\s+install\b[^&;|]*\s--user\b", ins.original):
            return "pip install --user puts the packages in root's home, which another user cannot read"
    return None


def _created_user(model, instructions) -> str | None:
    """The user a RUN of the stage creates (`useradd -m app`, `adduser -D app`), if one."""
    name = None
    for ins in instructions:
        script = model.script(ins)
        if script is None:
            continue
        for cmd in script.commands:
            if cmd.name not in ("useradd", "adduser"):
                continue
            argv = [a for a in cmd.argv[1:]]
            if any(a is None for a in argv):
                continue
            positional = []
            skip = False
            for a in argv:
                if skip:
                    skip = False
                    continue
                if a.startswith("-"):
                    # options that take a value, for both useradd and BusyBox/Debian adduser
                    skip = a in ("-u", "--uid", "-g", "--gid", "-G", "--groups", "-d", "--home", "--home-dir",
                                 "-s", "--shell", "-c", "--comment", "-k", "--skel", "-e", "-f", "-K", "--ingroup",
                                 "--gecos", "-h")
                    continue
                positional.append(a)
            if positional:
                candidate = positional[0]
                if candidate not in ("root",) and re.fullmatch(r"[a-z_][a-z0-9_-]*\$?", candidate):
                    name = candidate
    return name


def _is_windows(model, stage, ref) -> bool:
    text = f"{ref.path}:{ref.tag or ''}".lower()
    return (model.df.escape == "`" or "windows" in (stage.platform or "").lower()
            or any(w in text for w in ("nanoserver", "servercore", "windows")))


def _is_root(ins) -> bool:
    value = ins.arguments[0] if ins.arguments else ""
    return value.split(":")[0] in ("root", "0")


def _first_copy(stage, before):
    """The stage's first COPY or ADD, when it comes before `before` (the trailing configuration)."""
    for ins in stage.instructions:
        if ins is before:
            return None
        if ins.keyword in ("COPY", "ADD"):
            return ins
    return None


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
