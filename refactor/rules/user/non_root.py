from __future__ import annotations

import re

import posixpath

from ...syntax.edits import InsertAfter, InsertBefore, Replace
from ...model.images import image_facts
from ...model.program import read_program
from ...model.service import service_port
from ..base import Fix, Rule, Safety, Skip

APP_USER = "app"
DEFAULT_UID = 10001
# commands that start as root and switch user themselves
_DROPS_PRIVILEGES = re.compile(r"\b(gosu|su-exec|setpriv|runuser|chpst|s6-setuidgid|su)\b")
# instructions that configure the image rather than build it: the user goes before them
TRAILING = frozenset({"CMD", "ENTRYPOINT", "EXPOSE", "HEALTHCHECK", "STOPSIGNAL", "LABEL", "VOLUME"})


class NonRootUser(Rule):
    """
    ## What it does
    Makes the final stage run as a non-root user with a numeric uid and gid,
    so Kubernetes' `runAsNonRoot` can verify it: the user the image already
    ships at its own number (`node` 1000:1000, .NET's `app` 1654:1654,
    distroless `nonroot` 65532:65532), 65532:65532 on `scratch`, or a system
    user `app` created with uid and gid 10001 (`[tool.refactor] user-id`
    changes the number) by `groupadd`/`useradd -l` on Debian and Ubuntu and
    `addgroup -S`/`adduser -S` on Alpine and BusyBox. `USER` names the number;
    a comment above it names the user. A user it creates is created before the
    stage's first `COPY`, so that layer stays cached when the source changes.

    Before it adds a user it reads what the image runs (`refactor.model.program`):
    `ENTRYPOINT` and `CMD`, `sh -c` strings, the entrypoint scripts the build
    copies and the commands they `exec`, the service configuration files the
    build copies, `VOLUME`s, and the paths the program writes that it can find
    (flags such as `--pid`/`--log-file`, `tee` and redirections, pid and log
    settings of configuration files, and write calls in the Python, Node, Ruby,
    Go and PHP source the build copies). It gives the user the application's
    own folder (the `WORKDIR` the source went to, else where it was copied) and
    each folder outside it that the program writes or a `VOLUME` names: the
    copies into it get `--chown=<uid>:0`, and one `RUN` after the copies (before
    the closing configuration, so before a trailing `VOLUME`) runs
    `mkdir -p`, `chown <uid>:0` and `chmod g=u` on those folders, so an
    arbitrary uid in group 0 (OpenShift) can create files there too. It chose
    `COPY --chown` over a recursive `chown -R` because a recursive change copies
    every file into a new layer; `--chmod` is left out because it needs BuildKit.

    ## Why
    A process running as root inside the container is root on the host's
    kernel: a compromise of the application is a much larger one. hadolint
    reports DL3002 when the last user is root, DL3066 for a named `USER`.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    WORKDIR /app
    COPY . .
    CMD ["python", "main.py"]
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    WORKDIR /app
    RUN groupadd --system --gid 10001 app \\
        && useradd --system -l --uid 10001 --gid app --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin app
    COPY --chown=10001:0 . .
    RUN mkdir -p /app \\
        && chown 10001:0 /app \\
        && chmod g=u /app
    # the user app
    USER 10001:10001
    CMD ["python", "main.py"]
    ```

    ## Fix safety
    Review: the application no longer runs as root. It can write in its own
    folder and the folders found above; files the build copied are the user's
    but keep their modes (the group, and so an arbitrary OpenShift uid, can
    read them and create new files beside them, not rewrite them). It cannot
    write elsewhere or bind ports below 1024. The rule declines, and names the
    line and the file, when: the stage sets no CMD or ENTRYPOINT (a base image);
    the command is a bare shell or language prompt; a port below 1024 is used;
    the base image's entrypoint must start as root (official nginx, httpd,
    postgres, …); the command chain starts a service that needs root
    (`service X start`, `/etc/init.d/*`, supervisord, cron, sshd, nginx,
    apache, php-fpm, …) or drops privileges itself (gosu, su-exec, su,
    runuser, chpst, setpriv, s6-setuidgid); a configuration file the build
    copies sets a `user`/`uid` directive or puts a pid file under `/run` or
    `/var/run`; the program uses the Docker socket, the host's `/proc` or
    `/sys`, or raw sockets (ping, nmap, tcpdump, scapy, …); it writes to a path
    it computes, or to a system folder; a `VOLUME` of a folder to hand over
    comes before the build's last steps, or a `RUN` changes a folder's owner
    after its `VOLUME`; a USER is already set; or it cannot tell how to add a
    user to the base image. Windows images get no user change. Write calls the
    reading does not know (a library that writes by itself) can still fail.
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
            exposing = next((i for i in instructions if i.keyword == "EXPOSE" and low[0] in i.arguments), None)
            yield Skip(f"port {low[0]} is below 1024: a non-root user cannot bind it without CAP_NET_BIND_SERVICE",
                       exposing or anchor)
            return
        commands = [i for i in instructions if i.keyword in ("CMD", "ENTRYPOINT")]
        if not commands:
            yield Skip("the final stage sets no CMD or ENTRYPOINT: it runs the base image's command, which this "
                       "file does not show, or it is a base for other images, whose RUN steps would then run as a "
                       "non-root user", anchor)
            return
        program = read_program(model, chain)
        why = _program_needs_root(program, instructions) or _needs_root(commands, instructions) \
            or (program.unreadable[0] if program.unreadable else None)
        if why:
            yield _skip(why, anchor, chain)
            return
        if facts.family == "distroless" and "nonroot" in (ref.tag or ""):
            return  # runs as nonroot already
        before = model.trailing_config(stage, TRAILING)
        app = _app_folder(model, stage, program)
        given, why = _folders_to_give(program, instructions, app, before)
        if why:
            yield _skip(why, anchor, chain)
            return
        own, own_uid = _created_user(model, instructions)
        why = None if own is not None or facts.user or facts.family == "scratch" else _needs_home(program)
        why = why or _env_writes(commands, env) or _built_in_workdir(model, stage, program) or _host_mounts(program)
        if why:
            yield _skip(why, anchor, chain)
            return
        if own is not None:
            given = []  # the file gives its own user what it needs (COPY --chown, its home)
            # a uid the file gives is written as the number, which the host and Kubernetes'
            # runAsNonRoot can check (hadolint DL3066); the same passwd entry, so the same groups
            lines, user = ([f"# the user {own}", f"USER {own_uid}"] if own_uid else [f"USER {own}"]), own
            facts = type(facts)(facts.key, facts.family, own, facts.runtimes, facts.tools)
            uid = None
        else:
            uid = _uid(model, facts)
            lines, user = _user_lines(facts, uid)
        if lines is None:
            yield Skip(f"cannot tell how to add a user to {ref} (family unknown): add one by hand", anchor)
            return
        edits = []
        creation = _first_copy(stage, before) if len(lines) > 1 and lines[0].startswith("RUN ") else None
        if creation is not None:
            # the user does not depend on the application: created before the first copy, its layer
            # stays cached when the source changes
            edits.append(InsertBefore(creation, lines[0], above_comments=True))
            lines = lines[1:]
        owner = uid.split(":")[0] if uid else None
        if given and owner is not None and facts.family in ("scratch", "distroless"):
            if facts.family in ("scratch", "distroless") and given == [app] and not any(
                    w.path and _inside(w.path, app) for w in program.writes):
                given = []  # no shell to hand the folder over, and nothing seen writing there
            elif facts.family in ("scratch", "distroless"):
                yield Skip(f"{facts.key} has no shell to give {', '.join(given)} to the user; do it with COPY --chown by hand", anchor)
                return
        if given and owner is not None:
            for ins in _copies_into(model, stage, before, given):
                code = model_chown(model, ins, owner)
                if code is None:
                    yield Skip(f"line {ins.start_line}: cannot add --chown to this copy; give {', '.join(given)} to the user by hand", anchor)
                    return
                edits.append(Replace(ins, code, verbatim=True))
            dirs = " ".join(given)
            handover = f"RUN mkdir -p {dirs} \\\n    && chown {owner}:0 {dirs} \\\n    && chmod g=u {dirs}"
            lines = [handover, *lines] if not (lines and lines[0].startswith("RUN ")) else lines
            if lines[0] is not handover:
                lines[0] += f" \\\n    && mkdir -p {dirs} && chown {owner}:0 {dirs} && chmod g=u {dirs}"
        code = "\n".join(lines)
        edits.append(InsertBefore(before, code, above_comments=True) if before is not None
                     else InsertAfter(stage.instructions[-1], code))
        if facts.family == "scratch":
            what = "the numeric user 65532:65532 (scratch has no user database)"
        elif own is not None:
            what = f"the user {user} this Dockerfile creates"
        elif facts.user:
            what = f"the image's own user {user} ({uid})"
        else:
            what = f"a system user {user} ({uid})"
        message = f"the final stage runs as root: it now runs as {what}"
        if given:
            message += f"; {', '.join(given)} now belong{'s' if len(given) == 1 else ''} to it (group 0, group rights as the owner's)"
        yield Fix(stage.from_instruction, message, Safety.REVIEW, tuple(edits))


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
    entry = next((c for c in reversed(commands) if c.keyword == "ENTRYPOINT"), None)
    cmd = next((c for c in reversed(commands) if c.keyword == "CMD"), None)
    if entry is not None and cmd is not None and commands.index(cmd) < commands.index(entry):
        cmd = None  # a later ENTRYPOINT resets the CMD
    if cmd is not None and (entry is None or _is_wrapper(entry)):
        argv = list(cmd.arguments) if cmd.is_exec_form else (cmd.arguments[0].split() if cmd.arguments else [])
        if argv and argv[0].rsplit("/", 1)[-1] in _INTERACTIVE and all(a.startswith("-") for a in argv[1:]):
            return (f"line {cmd.start_line}: the command is an interactive {argv[0]}: the image is likely a base for others, "
                    "whose RUN steps would then run as a non-root user")
    final = cmd if entry is None else entry
    if final is not None:
        argv = list(final.arguments) if final.is_exec_form else (final.arguments[0].split() if final.arguments else [])
        if argv[:1] == ["sleep"] or argv[:2] == ["tail", "-f"] and argv[-1:] == ["/dev/null"]:
            return (f"line {final.start_line}: the command only keeps the container alive ({' '.join(argv)}): the work is "
                    "done with `docker exec`, whose commands would run as the new user")
    if entry is not None and not any(i.keyword == "EXPOSE" for i in instructions) and (
            _is_wrapper(entry) and cmd is None or not _is_wrapper(entry) and _bare_program(entry)
            and not _copies_application(instructions)):
        argv = list(cmd.arguments) if cmd is not None and cmd.is_exec_form else \
            (cmd.arguments[0].split() if cmd is not None and cmd.arguments else [])
        if all(a.startswith("-") for a in argv):
            words = entry.arguments if entry.is_exec_form else entry.arguments[:1]
            shown = " ".join(words)[:60]
            what = ("is a start-up script that runs what the caller passes" if _is_wrapper(entry) else
                    "runs a program of the image rather than code the build copies, with what the caller passes")
            return (f"line {entry.start_line}: ENTRYPOINT {shown} {what} "
                    f"({'only options in CMD' if argv else 'no CMD'}, no EXPOSE): "
                    "cannot tell where it writes (a folder mounted from the host is not the new user's) "
                    "or whether it needs root")
    other = _from_other_image(commands, instructions)
    if other:
        return other
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


def _host_mounts(program) -> str | None:
    """Why a folder the compose file binds from the host may not be writable by the new user."""
    for m in program.mounts:
        if "docker.sock" in m.path:
            return f"{m.where} mounts the Docker socket at {m.path}, which only root can open"
        if m.read_only:
            continue
        return (f"{m.where} mounts the host folder {m.host} at {m.path}: it keeps the host's owner, "
                "so the new user may not be able to write there")
    return None


_SOUND = {"darkice", "mpd", "pulseaudio", "jackd", "arecord", "aplay", "shairport-sync", "snapserver", "snapclient",
          "liquidsoap", "alsaloop", "squeezelite"}


def _needs_home(program) -> str | None:
    """Why the command needs a writable home (a package manager's cache), which the user the rule creates lacks."""
    for step in program.steps:
        name = step.name
        if name in _HOME_CACHE and (name not in ("uv", "poetry", "pipenv") or "run" in step.argv[1:3]):
            where = f"{step.where}: the command" if step.where.startswith("line ") else step.where
            return (f"{where} runs {_HOME_CACHE[name]}, which keeps its cache in the user's home: "
                    f"the user this rule would create has none")
    return None


_PATH_VARIABLE = re.compile(r"\$\{?([A-Za-z_]*(?:PID|LOG)[A-Za-z_]*)\}?")


def _env_writes(commands, env) -> str | None:
    """A pid or log file the command names through a variable: placed by the ENV value, or a doubt."""
    for c in commands:
        text = " ".join(c.arguments)
        for m in _PATH_VARIABLE.finditer(text):
            value = env.get(m.group(1), "").strip("\"'")
            if not value:
                return (f"line {c.start_line}: the command writes ${m.group(1)}, which the file does not set: "
                        "cannot tell whether the user may write there")
            if value.startswith("/") and not value.startswith(_SCRATCH_OK):
                folder = posixpath.dirname(posixpath.normpath(value))
                if _is_system(folder):
                    return (f"line {c.start_line}: the command writes ${m.group(1)} ({value}) in {folder}, "
                            "which the user cannot write")
    return None


def _built_in_workdir(model, stage, program) -> str | None:
    """Why the program may write in a WORKDIR that RUN steps filled as root (a clone or build in place)."""
    wd = program.workdir
    if wd == "/" or _is_system(wd) or wd.startswith(_SCRATCH_OK):
        return None
    current, run = "/", None
    for ins in stage.instructions:
        if ins.keyword == "WORKDIR" and ins.arguments and "$" not in ins.arguments[0]:
            current = posixpath.normpath(posixpath.join(current, ins.arguments[0]))
        elif ins.keyword in ("COPY", "ADD") and len(ins.arguments) >= 2:
            dest = _destination(model, stage, ins)
            if dest and (_inside(dest.rstrip("/") or "/", wd) or _inside(wd, dest.rstrip("/") or "/")):
                return None  # the build copies the application there: the folder handover covers it
        elif ins.keyword == "RUN" and current == wd and run is None:
            run = ins
    if run is None:
        return None
    return (f"line {run.start_line}: the RUN builds in {wd} as root and the program runs there: "
            "cannot tell what it writes in that folder")


def _bare_program(entry) -> bool:
    """An ENTRYPOINT that names only a program and its options (`["pandoc"]`, `["atom", "--foreground"]`)."""
    words = list(entry.arguments) if entry.is_exec_form else (entry.arguments[0].split() if entry.arguments else [])
    return bool(words) and all(w.startswith("-") for w in words[1:])


def _copies_application(instructions) -> bool:
    """Whether the build copies code of its own (from the context or a stage), not only configuration."""
    for ins in instructions:
        if ins.keyword not in ("COPY", "ADD") or len(ins.arguments) < 2:
            continue
        origin = ins.flag("from")
        if origin is not None and ("/" in origin or ":" in origin):
            continue  # files from another image: installed like a package
        dest = ins.arguments[-1]
        if dest.startswith("/etc/") or all(a.endswith((".conf", ".cfg", ".ini", ".yml", ".yaml", ".json", ".toml"))
                                           for a in ins.arguments[:-1]):
            continue
        return True
    return False


def _from_other_image(commands, instructions) -> str | None:
    """Why the command's program, copied from another image, cannot be read."""
    for c in commands:
        words = list(c.arguments) if c.is_exec_form else (c.arguments[0].split() if c.arguments else [])
        words = [w for w in words if w and not w.startswith("-")]
        if not words or "/" not in words[0]:
            continue
        program = posixpath.normpath(words[0])
        for ins in instructions:
            origin = ins.flag("from") if ins.keyword == "COPY" else None
            if origin is None or not ("/" in origin or ":" in origin) or len(ins.arguments) < 2:
                continue
            dest = posixpath.normpath(ins.arguments[-1])
            if program == dest or program.startswith(dest + "/"):
                return (f"line {c.start_line}: {words[0]} comes from the image {origin} (line {ins.start_line}): "
                        "cannot read what it writes or whether it needs root")
    return None


def _is_wrapper(entry) -> bool:
    """An ENTRYPOINT that is a start-up script or init passing the CMD on (`docker-entrypoint.sh`, tini)."""
    words = list(entry.arguments) if entry.is_exec_form else (entry.arguments[0].split() if entry.arguments else [])
    words = [w for w in words if w and not w.startswith("-")]
    if not words:
        return False
    name = words[-1].rsplit("/", 1)[-1]
    return name.endswith(".sh") or "entrypoint" in name or name in ("tini", "dumb-init", "catatonit")


def _created_user(model, instructions) -> tuple[str | None, str | None]:
    """The user a RUN of the stage creates (`useradd -m app`, `adduser -D app`), if one, and the
    uid it gives (`-u 1000`, `--uid 1000`), if a number."""
    name = uid = None
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
            given = None
            for n, a in enumerate(argv):
                if skip:
                    skip = False
                    continue
                if a in ("-u", "--uid") and n + 1 < len(argv):
                    given = argv[n + 1]
                elif a.startswith("--uid="):
                    given = a.split("=", 1)[1]
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
                    uid = given if given and given.isdigit() and int(given) > 0 else None
    return name, uid


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


def _uid(model, facts) -> str:
    """uid:gid of the user the rule switches to."""
    if facts.family == "scratch":
        return "65532:65532"
    if facts.user:
        return facts.uid or ""
    n = model.options.user_id or DEFAULT_UID
    return f"{n}:{n}"


def _user_lines(facts, uid: str) -> tuple[list[str] | None, str]:
    if facts.family == "scratch":
        return ["USER 65532:65532"], "65532"
    if facts.user:
        if not uid:
            return None, facts.user
        return [f"# the image's own user {facts.user}", f"USER {uid}"], facts.user
    n = uid.split(":")[0]
    if facts.family in ("debian", "ubuntu"):
        return [
            f"RUN groupadd --system --gid {n} {APP_USER} \\\n    && useradd --system -l --uid {n} --gid {APP_USER} "
            f"--no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin {APP_USER}",
            f"# the user {APP_USER}",
            f"USER {uid}",
        ], APP_USER
    if facts.family in ("alpine", "busybox"):
        return [
            f"RUN addgroup -S -g {n} {APP_USER} \\\n    && adduser -S -u {n} -G {APP_USER} -H -h /nonexistent -s /sbin/nologin {APP_USER}",
            f"# the user {APP_USER}",
            f"USER {uid}",
        ], APP_USER
    return None, ""


# services and tools that need root, by the name of the command that starts them
_SERVICES = {"service", "rc-service", "openrc", "systemctl", "supervisord", "cron", "crond", "sshd", "nginx",
             "apache2", "apache2ctl", "apachectl", "httpd", "php-fpm", "rsyslogd", "syslogd", "postfix", "dovecot",
             "exim", "smbd", "nmbd", "named", "dnsmasq", "vsftpd", "xinetd", "inetd", "rpcbind", "haproxy"}
_RAW_SOCKETS = {"ping", "ping6", "nmap", "tcpdump", "arping", "masscan", "hping3", "fping", "traceroute", "mtr",
                "arp-scan", "nping", "tshark", "dumpcap", "iftop", "nethogs"}
_HOST_TOOLS = {"htop", "glances", "top", "atop", "iotop", "btop", "nvtop", "powertop", "ctop", "cadvisor", "netdata",
               "node_exporter", "sysdig", "bpftrace", "lazydocker", "dive", "dockerd", "docker"}
_DATABASES = {"mongod", "mysqld", "mysqld_safe", "mariadbd", "postgres", "pg_ctl", "pg_ctlcluster", "couchdb", "slapd",
              "redis-server", "elasticsearch", "cassandra", "influxd", "neo4j", "clickhouse-server", "rabbitmq-server",
              "etcd", "memcached", "mongos"}
_ROOT_STEPS = {"chown", "chgrp", "apt-get", "apt", "apk", "yum", "dnf", "dpkg", "dpkg-reconfigure",
               "debconf-set-selections", "useradd", "adduser", "groupadd", "addgroup", "usermod", "update-ca-certificates",
               "ldconfig", "setcap", "chroot", "sysctl", "mount", "modprobe", "iptables"}
_HOME_CACHE = {"uv": "uv run", "uvx": "uvx", "poetry": "poetry run", "pipenv": "pipenv run", "yarn": "yarn",
               "npx": "npx", "pnpm": "pnpm", "bun": "bun", "deno": "deno"}
_RAW_SOCKETS |= {"dnsmonster", "airodump-ng", "aireplay-ng", "airmon-ng", "aircrack-ng", "bettercap", "ettercap",
                 "arpspoof", "p0f", "snort", "suricata", "zeek", "ntopng", "darkstat", "iw", "wpa_supplicant",
                 "hostapd", "dhcpd", "dnsmasq"}
_DROPPERS = {"gosu", "su-exec", "su", "runuser", "chpst", "setpriv", "s6-setuidgid", "setuidgid", "sudo"}
_HOST_PATHS = re.compile(r"docker\.sock|/host/proc|/host/sys|\bHOST_PROC\b|\bHOST_SYS\b|--pid[= ]host|/rootfs/proc")
_RAW_SOURCE = re.compile(r"\bSOCK_RAW\b|\bfrom scapy\b|\bimport scapy\b|\bscapy\.all\b|\bicmplib\b|\bpcap\b")
# settings of service configuration files that say the server starts as root
_CONFIG_USER = re.compile(r"^\s*(user|User|uid|group|Group)(\s*=\s*|\s+)['\"]?([\w.$-]+)", re.MULTILINE)
_CONFIG_PID = re.compile(r"^\s*(pid|pidfile|PidFile|pid_file)(\s*=\s*|\s+)['\"]?(/(?:var/)?run/\S*?)['\";\s]", re.MULTILINE)


def _program_needs_root(program, instructions) -> str | None:
    """Why the command chain, its scripts, configuration or source must run as root, or None."""
    for step in program.steps:
        name = step.name
        if name is None:
            continue
        where = f"{step.where}: the command" if step.where.startswith("line ") else step.where
        first = step.argv[0] or ""
        if name in _DROPPERS or name.startswith("s6-"):
            return f"{where} runs {name}: it starts as root and drops privileges itself"
        if first.startswith("/etc/init.d/"):
            return f"{where} runs {first}: an init script that needs root"
        if name in _SERVICES or name.startswith("php-fpm") or re.fullmatch(r"php\d[\d.]*-fpm", name):
            what = f"service {step.argv[1]}" if name == "service" and len(step.argv) > 1 and step.argv[1] else name
            return f"{where} starts {what}, which needs root"
        if name in _RAW_SOCKETS:
            return f"{where} runs {name}, which opens raw sockets and needs root"
        if name in _SOUND:
            return f"{where} runs {name}, which opens the sound devices (/dev/snd) that only root and the audio group can open"
        if name in _HOST_TOOLS:
            return f"{where} runs {name}, a host tool that reads /proc, /sys or the Docker socket and needs root"
        text = " ".join(w for w in step.argv if w)
        if _HOST_PATHS.search(text):
            return f"{where} uses {_HOST_PATHS.search(text).group(0)}: a host tool that needs root"
    for ins in instructions:
        sock = next((v for v in ins.arguments if "docker.sock" in v), None) if ins.keyword == "VOLUME" else None
        if sock:
            return f"line {ins.start_line}: VOLUME {sock} is the Docker socket, which only root can open"
    for rel, text in program.configs:
        name = rel.rsplit("/", 1)[-1]
        for m in _CONFIG_USER.finditer(text):
            if m.group(3) in ("root", "0") or name.endswith((".py", ".cfg")) and m.group(1) == "user" and "=" not in m.group(2):
                continue
            line = text.count("\n", 0, m.start(1)) + 1
            return f"{name}:{line} sets `{m.group(1)} {m.group(3)}`: the server starts as root and switches user itself"
        m = _CONFIG_PID.search(text)
        if m:
            line = text.count("\n", 0, m.start(1)) + 1
            return f"{name}:{line} puts the pid file in {posixpath.dirname(m.group(3))}, which only root can write"
    for rel, text in program.sources:
        name = rel.rsplit("/", 1)[-1]
        for rx, what in ((_HOST_PATHS, "a host tool that needs root"), (_RAW_SOURCE, "raw sockets need root")):
            m = rx.search(text)
            if m:
                line = text.count("\n", 0, m.start()) + 1
                return f"{name}:{line} uses {m.group(0)}: {what}"
    for step in program.steps:
        where = f"{step.where}: the command" if step.where.startswith("line ") else step.where
        if step.name in _DATABASES:
            return (f"{where} starts {step.name}, a database server: its data, pid and log folders belong to root "
                    "or its package's user")
        if step.name in _ROOT_STEPS and not step.where.startswith("line "):
            return f"{where} runs {step.name}, which needs root"
    return None


# folders of the system: a write there needs root, and the tool does not hand them over
_SYSTEM = re.compile(r"^/(?:$|etc|bin|sbin|lib|lib32|lib64|libx32|proc|sys|dev|boot|root|run|"
                     r"usr(?:$|/(?:bin|sbin|lib|lib64|share|include|libexec|local(?:$|/(?:bin|sbin|lib|share|include|etc))))|"
                     r"var(?:$|/(?:log|run|lib(?:$|/(?:apt|dpkg))|cache|spool|mail|backups|opt)(?:$|/))|"
                     r"opt$|home$|srv$|mnt$|media$)")
_SCRATCH_OK = ("/tmp", "/var/tmp", "/dev/shm")


def _skip(reason: str, anchor, chain) -> Skip:
    """A decline anchored at the Dockerfile line its reason names (`line 6: …`), else at `anchor`."""
    m = re.match(r"line (\d+): ", reason)
    if m:
        line = int(m.group(1))
        ins = next((i for s in chain for i in s.instructions if i.start_line == line), None)
        if ins is not None:
            return Skip(reason[m.end():], ins)
    return Skip(reason, anchor)


def _is_system(path: str) -> bool:
    return bool(_SYSTEM.match(path))


def _inside(path: str, folder: str | None) -> bool:
    return folder is not None and (path == folder or path.startswith(folder.rstrip("/") + "/"))


def _app_folder(model, stage, program) -> str | None:
    """The application's own folder: the WORKDIR the source went to, else where the source was copied."""
    dests = []
    for origin_ins in stage.instructions:
        if origin_ins.keyword not in ("COPY", "ADD") or len(origin_ins.arguments) < 2:
            continue
        dests.append(_destination(model, stage, origin_ins))
    dests = [d for d in dests if d]
    wd = program.workdir
    if wd != "/" and not _is_system(wd) and any(_inside(d, wd) for d in dests):
        return wd
    for d in sorted(dests, key=len):
        folder = d if d.endswith("/") or _is_folder_copy(model, stage, d, program) else posixpath.dirname(d)
        folder = folder.rstrip("/") or "/"
        if folder != "/" and not _is_system(folder) and not folder.startswith(_SCRATCH_OK):
            return folder
    return None


def _is_folder_copy(model, stage, dest: str, program) -> bool:
    for ins in stage.instructions:
        if ins.keyword in ("COPY", "ADD") and _destination(model, stage, ins) == dest:
            srcs = ins.arguments[:-1]
            return len(srcs) > 1 or ins.arguments[-1].endswith("/") or any(
                s in (".", "./") or s.endswith("/")
                or ins.flag("from") is None and model.context.known and (model.context.root / s.lstrip("/")).is_dir()
                for s in srcs) \
                or ins.flag("from") is not None and any(
                    w and w.startswith(dest.rstrip("/") + "/") for step in program.steps for w in step.argv)
    return False


def _destination(model, stage, ins) -> str | None:
    """The absolute destination of a COPY/ADD (with a trailing / when it names a folder)."""
    workdir = "/"
    for other in stage.instructions:
        if other is ins:
            break
        if other.keyword == "WORKDIR" and other.arguments and "$" not in other.arguments[0]:
            workdir = posixpath.normpath(posixpath.join(workdir, other.arguments[0]))
    dest = ins.arguments[-1]
    if "$" in dest:
        return None
    absolute = posixpath.normpath(posixpath.join(workdir, dest))
    return absolute + "/" if dest.endswith("/") and absolute != "/" else absolute


def _folders_to_give(program, instructions, app, before) -> tuple[list[str], str | None]:
    """The folders the user must own (the app folder first), or the reason the rule declines."""
    given: list[str] = [app] if app else []
    for w in program.writes:
        who = f"{w.where}: the command" if w.where.startswith("line ") else w.where
        if w.path is None:
            return [], f"{who} writes to a path it computes ({w.what}): cannot tell whether the user may write there"
        if w.path.startswith(_SCRATCH_OK) or _inside(w.path, app):
            continue
        folder = w.path if w.kind == "dir" else posixpath.dirname(w.path)
        if _is_system(folder):
            where = "the root folder" if folder == "/" else folder
            return [], f"{who} writes {w.path} ({w.what}) in {where}, which the user cannot write"
        if not any(_inside(folder, g) for g in given):
            given.append(folder)
    volumes: list[tuple[str, object]] = []
    for ins in instructions:
        if ins.keyword == "VOLUME":
            for v in ins.arguments:
                path = posixpath.normpath(v) if v.startswith("/") else None
                if path is None:
                    return [], f"line {ins.start_line}: VOLUME {v} is not an absolute path"
                volumes.append((path, ins))
                if path.startswith(_SCRATCH_OK) or path == app:
                    continue
                if _inside(path, app):  # a folder the image may not have: the VOLUME would create it root's
                    if path not in given:
                        given.append(path)
                    continue
                if _is_system(path):
                    return [], f"line {ins.start_line}: VOLUME {path} is a system folder the user cannot write"
                if not any(_inside(path, g) for g in given):
                    given.append(path)
        elif ins.keyword == "RUN" and volumes:
            for path, vol in volumes:
                if re.search(rf"\b(chown|chmod)\b[^;&|]*\s{re.escape(path)}(?:/|\s|$)", ins.arguments[0] if ins.arguments else ""):
                    return [], (f"line {ins.start_line}: the RUN changes the owner or mode of {path} after the VOLUME at line "
                                f"{vol.start_line}: the change is discarded, so the folder stays root's")
    trailing = False
    for ins in instructions:
        trailing = trailing or ins is before
        if ins.keyword == "VOLUME" and not trailing:
            for v in ins.arguments:
                if any(_inside(posixpath.normpath(v), g) or _inside(g, posixpath.normpath(v)) for g in given):
                    return [], (f"line {ins.start_line}: VOLUME {v} comes before the build's last steps: "
                                "a chown of it placed after the VOLUME would have no effect")
    return given, None


def _copies_into(model, stage, before, given):
    """COPY/ADD instructions of the final stage that put files into a folder given to the user, without --chown."""
    for ins in stage.instructions:
        if ins is before:
            return
        if ins.keyword in ("COPY", "ADD") and len(ins.arguments) >= 2 and ins.flag("chown") is None:
            dest = _destination(model, stage, ins)
            if dest and any(_inside(dest.rstrip("/") or "/", g) for g in given):
                yield ins


def model_chown(model, ins, owner: str) -> str | None:
    """The COPY's own code with `--chown=<owner>:0`, when the file still reads the same with it."""
    m = re.match(r"(\s*\S+)(\s+)", ins.own_code)
    if m is None:
        return None
    code = ins.own_code[: m.end()] + f"--chown={owner}:0 " + ins.own_code[m.end():]
    again = model.reparsed(ins, code)
    if again is None or again.keyword != ins.keyword or again.flag("chown") != f"{owner}:0" \
            or tuple(again.arguments) != tuple(ins.arguments):
        return None
    return code
