"""`refactor verify`: build the original and the refactored Dockerfile, run both, compare.

A review shows the diff; a build proves it. Both images are built from a private copy of the
build context (the user's files are only read), each is started and probed the same way, and
the table shows what the refactor gained: final image size, layers, the user it runs as, its
health check, build time, and the time of a cached rebuild after a one-line source change.

Exit codes: 0 the refactored image behaves the same, 1 it behaves differently or does not
build, 2 usage, no builder, a base image that cannot be had, an original that does not
build or run, or a machine whose container runtime cannot run containers (refused resource
limits), 3 internal error. Images and containers it made are removed unless `--keep`.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path

EXIT_SAME, EXIT_DIFFERS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
SETTLE_SECONDS = 5.0  # a service must stay up this long; a batch job must end within the timeout
BUILDERS = ("docker", "podman", "buildah")


class VerifyError(Exception):
    """A reason verification cannot run; `code` is the exit code (2 for the user's side)."""

    def __init__(self, message: str, code: int = EXIT_INPUT):
        super().__init__(message)
        self.code = code


# --- the request and its answer ------------------------------------------------------------------


@dataclass
class Probe:
    """How behaviour is compared: `http` (GET port/path), `command` (run on the host), or the
    default: the container stays up for a few seconds, or a batch job exits with its output."""

    kind: str = "default"
    port: int | None = None
    path: str = "/"
    command: str | None = None

    @classmethod
    def http(cls, spec: str) -> "Probe":
        port, _, path = spec.partition("/")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise VerifyError(f"--http {spec!r}: expected PORT/PATH, e.g. 8080/health")
        return cls("http", port=int(port), path="/" + path)

    def describe(self) -> str:
        if self.kind == "http":
            return f"GET http://127.0.0.1:{self.port}{self.path}"
        if self.kind == "command":
            return f"probe command {self.command!r}"
        if self.kind == "batch":
            return "a batch job: runs to its end, with the same exit code and output"
        return f"stays up {SETTLE_SECONDS:.0f} s, or exits with the same code and output"


@dataclass
class ImageReport:
    """What one image did: built, answered the probe, and what it is made of."""

    label: str
    built: bool = False
    build_seconds: float | None = None
    build_log: str = ""
    rebuild_seconds: float | None = None
    size: int | None = None
    layers: int | None = None
    user: str = ""
    run_uid: int | None = None
    healthcheck: str = "none"  # none, passes, fails, not run
    outcome: tuple | None = None  # what the probe saw, compared between the two images
    outcome_text: str = ""

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("build_log", "outcome")}


@dataclass
class Report:
    path: str
    builder: str
    probe: Probe
    original: ImageReport = field(default_factory=lambda: ImageReport("original"))
    refactored: ImageReport = field(default_factory=lambda: ImageReport("refactored"))
    changed_file: str | None = None  # the source file changed for the cached rebuild
    verdict: str = ""
    exit_code: int = EXIT_INTERNAL
    changes: list[str] = field(default_factory=list)
    refactored_text: str | None = None
    kept: list[str] = field(default_factory=list)  # image tags left in place by --keep

    def as_dict(self) -> dict:
        return {"path": self.path, "builder": self.builder, "probe": self.probe.describe(),
                "changes": self.changes, "changed_file": self.changed_file, "verdict": self.verdict,
                "exit_code": self.exit_code, "original": self.original.as_dict(),
                "refactored": self.refactored.as_dict()}


# --- the command ---------------------------------------------------------------------------------


def verify(path: str, *, context: str | None = None, probe: Probe | None = None, builder: str | None = None,
           level: str | None = None, keep: bool = False, timeout: float = 60.0, rebuild: bool = True,
           log=lambda msg: None) -> Report:
    """Build, run and compare the original and the refactored Dockerfile at `path`; `rebuild=False`
    leaves out the cached rebuild after a change to a source file."""
    from .runner import Request, read_dockerfile, refactor_text

    probe = probe or Probe()
    text, error = read_dockerfile(path)
    if error:
        raise VerifyError(error)
    context_dir = Path(context or Path(path).parent).resolve()
    if not context_dir.is_dir():
        raise VerifyError(f"{context_dir}: the build context is not a directory")
    outcome = refactor_text(text, path, Request(level=level), context_dir=str(context_dir),
                            config_dir=Path(path).parent)
    if outcome.status == "failed":
        raise VerifyError(outcome.error or f"{path}: cannot be refactored", outcome.exit_code)
    tool = detect_builder(builder)
    report = Report(path, tool.name, probe, changes=[f"{c.code} {c.message}" for c in outcome.changes],
                    refactored_text=outcome.new_text)
    if outcome.status != "changed":
        report.verdict, report.exit_code = "nothing to refactor: no build needed", EXIT_SAME
        return report
    tool.ensure_bases(text, outcome.new_text, log=log)
    run_id = uuid.uuid4().hex[:10]
    before = tool.image_ids()
    with tempfile.TemporaryDirectory(prefix="refactor-verify-") as work:
        ctx = Path(work) / "context"
        _copy_context(context_dir, ctx)
        files = {"original": Path(work) / "original" / "Dockerfile",
                 "refactored": Path(work) / "refactored" / "Dockerfile"}
        for name, content in (("original", text), ("refactored", outcome.new_text)):
            files[name].parent.mkdir()
            files[name].write_text(content, encoding="utf-8")
            # BuildKit reads <Dockerfile>.dockerignore beside the Dockerfile first, then the context's
            proposed = _proposed_ignore(outcome, context_dir) if name == "refactored" else None
            if proposed is not None:  # the .dockerignore the refactoring writes (CX001, CX002)
                (files[name].parent / "Dockerfile.dockerignore").write_text(proposed, encoding="utf-8")
                continue
            for ignore in (Path(path + ".dockerignore"), context_dir / ".dockerignore"):
                if ignore.is_file():
                    shutil.copyfile(ignore, files[name].parent / "Dockerfile.dockerignore")
                    break
        images = {name: f"localhost/refactor-verify-{run_id}:{name}" for name in files}
        try:
            for name, image in (("original", report.original), ("refactored", report.refactored)):
                log(f"building the {name} image")
                image.built, image.build_seconds, image.build_log = tool.build(files[name], ctx, images[name])
                if not image.built:
                    break
                tool.describe(images[name], image)
                log(f"running the {name} image")
                try:
                    _exercise(tool, images[name], f"refactor-verify-{run_id}-{name}", probe, image, timeout)
                except VerifyError as e:
                    if name == "original" and e.code == EXIT_DIFFERS:  # as an original that does not build
                        raise VerifyError(f"{path}: the original image does not run with {tool.runner}; nothing "
                                          f"to compare\n{e}", EXIT_INPUT) from e
                    raise
            if rebuild and report.original.built and report.refactored.built:
                source = _source_to_change(ctx, copied_sources(text))
                if source is not None:
                    report.changed_file = source[0]
                    for name, image in (("original", report.original), ("refactored", report.refactored)):
                        # a different line for each, so one rebuild cannot reuse the other's layers
                        _change_one_line(ctx, *source, f"{name} {run_id}")
                        log(f"rebuilding the {name} image after a change to {report.changed_file}")
                        ok, seconds, _ = tool.build(files[name], ctx, images[name])
                        image.rebuild_seconds = seconds if ok else None
        finally:
            if keep:
                report.kept = [images[n] for n, i in (("original", report.original), ("refactored", report.refactored))
                               if i.built]
            else:
                tool.remove(list(images.values()), before)
    report.verdict, report.exit_code = _judge(report)
    return report


def _proposed_ignore(outcome, context_dir: Path) -> str | None:
    """The new text of the context's .dockerignore among the files the refactoring writes, if any."""
    for name, (_before, after) in outcome.files.items():
        if Path(name).name == ".dockerignore" and Path(name).resolve().parent == context_dir:
            return after
    return None


def _judge(report: Report) -> tuple[str, int]:
    o, r = report.original, report.refactored
    if not o.built:
        raise VerifyError(f"{report.path}: the original does not build with {report.builder}; nothing to compare\n"
                          + _tail(o.build_log))
    if not r.built:
        return "the refactored Dockerfile does not build:\n" + _tail(r.build_log), EXIT_DIFFERS
    if o.outcome and r.outcome and o.outcome[0] == r.outcome[0] == "http" and "varies" in (o.outcome[2], r.outcome[2]):
        same = o.outcome[1] == r.outcome[1]  # one body varies between requests: the status is what compares
    else:
        same = o.outcome == r.outcome
    if not same:
        return f"behaviour differs: original {o.outcome_text}; refactored {r.outcome_text}", EXIT_DIFFERS
    if r.healthcheck == "fails":
        return "the health check of the refactored image fails", EXIT_DIFFERS
    gains = []
    if o.size and r.size:
        gains.append(f"final image {_size(r.size)} instead of {_size(o.size)} ({r.size / o.size:.0%})")
    if o.rebuild_seconds and r.rebuild_seconds:
        gains.append(f"cached rebuild {o.rebuild_seconds / r.rebuild_seconds:.1f}x as fast")
    return "same behaviour" + (": " + "; ".join(gains) if gains else ""), EXIT_SAME


def _tail(log: str, lines: int = 15) -> str:
    return "\n".join(log.rstrip().splitlines()[-lines:])


# --- builders ------------------------------------------------------------------------------------


def detect_builder(prefer: str | None = None) -> "Builder":
    """Docker when its engine answers (a client alone does not count), then Podman, then Buildah
    (which builds; Podman runs the images)."""
    if prefer is not None and prefer not in BUILDERS:
        raise VerifyError(f"--builder {prefer!r}: expected one of {', '.join(BUILDERS)}")
    reasons = []
    for name in ([prefer] if prefer else BUILDERS):
        why = Builder.unusable(name)
        if why is None:
            return Builder(name)
        reasons.append(f"{name}: {why}")
    raise VerifyError("no builder available (" + "; ".join(reasons) + "). Install Docker, Podman or Buildah "
                      "with Podman, or name one with --builder")


@dataclass
class Builder:
    name: str

    @staticmethod
    def unusable(name: str) -> str | None:
        if shutil.which(name) is None:
            return "not installed"
        if name == "docker":
            try:
                info = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=20)
            except subprocess.TimeoutExpired:
                return "`docker info` did not answer"
            return None if info.returncode == 0 else "the client is installed but no engine answers"
        if name == "buildah" and shutil.which("podman") is None:
            return "buildah builds, but podman is needed to run the images"
        return None

    @property
    def runner(self) -> str:
        return "podman" if self.name == "buildah" else self.name

    def _call(self, tool: str, *args: str, timeout: float | None = 120, **kw) -> subprocess.CompletedProcess:
        return subprocess.run([tool, *args], capture_output=True, text=True, timeout=timeout, **kw)

    # images
    def image_ids(self) -> set[str]:
        listed = self._call(self.runner, "images", "-a", "-q", "--no-trunc")
        return set(listed.stdout.split()) if listed.returncode == 0 else set()

    def ensure_bases(self, *texts: str, log=lambda msg: None) -> None:
        """Every base image the two files name is present or can be pulled; else exit 2."""
        for base in sorted({b for t in texts for b in base_images(t)}):
            if self._call(self.runner, "image", "inspect", base).returncode == 0:
                continue
            log(f"pulling {base}")
            pulled = self._call(self.runner, "pull", base, timeout=900)
            if pulled.returncode != 0:
                reason = (pulled.stderr.strip().splitlines() or ["no reason given"])[-1]
                raise VerifyError(f"base image {base} cannot be had: {reason}")

    def build(self, dockerfile: Path, context: Path, tag: str) -> tuple[bool, float, str]:
        """Build with the layer cache. Never --no-cache: Buildah then makes sibling layers that a
        later cached build does not follow, so the rebuild would redo the dependency install."""
        args = ["build", "-f", str(dockerfile), "-t", tag]
        if self.name != "docker":
            args += ["--format", "docker", "--layers"]  # OCI images drop HEALTHCHECK
        start = time.monotonic()
        done = self._call(self.name, *args, str(context), timeout=3600)
        return done.returncode == 0, time.monotonic() - start, done.stdout + done.stderr

    def describe(self, tag: str, into: ImageReport) -> None:
        data = json.loads(self._call(self.runner, "image", "inspect", tag).stdout or "[{}]")[0]
        config = data.get("Config") or {}
        into.size = data.get("Size")
        into.layers = len((data.get("RootFS") or {}).get("Layers") or [])
        into.user = config.get("User") or "root"
        check = config.get("Healthcheck") or data.get("Healthcheck") or data.get("HealthCheck") or {}  # Podman: top level
        test = check.get("Test") or check.get("test") or []
        into.healthcheck = "none" if not test or test == ["NONE"] else "not run"

    def remove(self, tags: list[str], before: set[str]) -> None:
        self._call(self.runner, "rm", "-f", *[_container_name(t) for t in tags])
        self._call(self.runner, "rmi", "-f", *tags)
        # the layers the builds left behind, never an image that was there before; removing one
        # can leave its parent dangling, so go on while that happens
        for _ in range(20):
            left = self._dangling_since(before)
            if not left:
                break
            removed = [self._call(self.runner, "rmi", image).returncode == 0 for image in left]
            if not any(removed):
                break

    def _dangling_since(self, before: set[str]) -> list[str]:
        listed = self._call(self.runner, "images", "-a", "--no-trunc", "--filter", "dangling=true",
                            "--format", "{{.ID}}")
        ids = [i for i in listed.stdout.split() if i not in before and i.split(":")[-1] not in before]
        return ids

    # containers
    def start(self, tag: str, name: str) -> None:
        self._call(self.runner, "rm", "-f", name)
        args = ["run", "-d", "--name", name, "--network", "host"]
        if self.runner == "podman":
            args.append("--pull=never")
        started = self._call(self.runner, *args, tag)
        if started.returncode != 0:
            reason = started.stderr.strip()
            if refuses_limits(reason):  # this machine, not the image: no container would start here
                raise VerifyError(f"{tag}: this machine cannot run the containers: {self.runner} refused its default "
                                  f"resource limits: {reason}\nhint: {limits_hint(self.runner)}", EXIT_INPUT)
            raise VerifyError(f"{tag}: the container did not start: {reason}", EXIT_DIFFERS)

    def state(self, name: str) -> dict:
        done = self._call(self.runner, "inspect", name)
        try:
            return (json.loads(done.stdout or "[{}]")[0] or {}).get("State") or {}
        except (ValueError, IndexError):
            return {}

    def logs(self, name: str) -> str:
        done = self._call(self.runner, "logs", name)
        return done.stdout

    def health(self, name: str, deadline: float) -> str:
        """passes or fails: Podman runs the check on request; Docker's timer is awaited."""
        while True:
            if self.runner == "podman":
                if self._call("podman", "healthcheck", "run", name).returncode == 0:
                    return "passes"
            else:
                status = ((self.state(name).get("Health") or {}).get("Status") or "")
                if status in ("healthy", "unhealthy"):
                    return "passes" if status == "healthy" else "fails"
            if time.monotonic() > deadline:
                return "fails"
            time.sleep(1.0)


def refuses_limits(stderr: str) -> bool:
    """The OCI runtime could not apply the resource limits the engine asks for by default: crun's
    `setrlimit `RLIMIT_NPROC`: Operation not permitted`, runc's `error setting rlimit type 7`."""
    return "rlimit" in stderr.lower()


def limits_hint(runner: str) -> str:
    if runner == "docker":
        return ('set limits this host allows in the engine\'s /etc/docker/daemon.json, e.g. "default-ulimits": '
                '{"nofile": {"Name": "nofile", "Soft": 16384, "Hard": 16384}}, and restart it')
    return ('set limits this host allows in containers.conf (the file CONTAINERS_CONF names, else '
            '~/.config/containers/containers.conf or /etc/containers/containers.conf): '
            '[containers] default_ulimits = ["nofile=16384:16384", "nproc=16384:16384"]')


def _container_name(tag: str) -> str:
    run_id, _, name = tag.rpartition("/")[2].partition(":")
    return f"{run_id}-{name}"


def base_images(text: str) -> list[str]:
    """The images a Dockerfile's stages start from (not earlier stages, not scratch), as written
    with global ARG defaults substituted; those still holding a variable are left to the build."""
    from .model import Model
    from .syntax import parse

    model = Model(parse(text))
    out = []
    for stage in model.stages:
        if model.base_is_stage(stage):
            continue
        name = model.base_image(stage).text
        if "$" not in name and name.lower() != "scratch":
            out.append(name)
    return out


# --- running and probing -------------------------------------------------------------------------


def _exercise(tool: Builder, tag: str, name: str, probe: Probe, into: ImageReport, timeout: float) -> None:
    if probe.kind == "http" and _answers(probe.port):
        raise VerifyError(f"port {probe.port} already answers on this machine: the probe could not tell "
                          f"the container from it (stop what listens there, or probe another port)")
    tool.start(tag, name)
    try:
        started = time.monotonic()
        if probe.kind == "http":
            into.outcome, into.outcome_text = _http(tool, name, probe, started + timeout)
        elif probe.kind == "command":
            into.outcome, into.outcome_text = _command(tool, name, probe, started + timeout)
        else:
            settle = started + (timeout if probe.kind == "batch" else SETTLE_SECONDS)
            into.outcome, into.outcome_text = _stays_up(tool, name, settle)
        state = tool.state(name)
        pid = state.get("Pid") or 0
        if state.get("Running") and pid:
            into.run_uid = _uid_of(pid)
            if into.healthcheck != "none":
                into.healthcheck = tool.health(name, time.monotonic() + timeout)
    finally:
        tool._call(tool.runner, "rm", "-f", name)


def _stays_up(tool: Builder, name: str, settle: float) -> tuple[tuple, str]:
    """Exited (code, output) before `settle`, or still running then."""
    waited = settle - time.monotonic()
    while True:
        state = tool.state(name)
        if not state.get("Running", False) and state.get("Status") not in ("created", "configured", "initialized"):
            code = state.get("ExitCode")
            out = tool.logs(name)
            return ("exited", code, out), f"exited {code}" + (", printed " + _short(out) if out.strip() else "")
        if time.monotonic() > settle:
            return ("running",), f"still running after {waited:.0f} s"
        time.sleep(0.25)


def _http(tool: Builder, name: str, probe: Probe, deadline: float) -> tuple[tuple, str]:
    url = f"http://127.0.0.1:{probe.port}{probe.path}"
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                body = answer.read()
            if _get(url) != (answer.status, body):
                # a page that differs from one request to the next (a random pick, a clock): its status is compared
                return ("http", answer.status, "varies"), f"HTTP {answer.status}, {len(body)} bytes (the body varies)"
            return ("http", answer.status, body), f"HTTP {answer.status}, {len(body)} bytes"
        except urllib.error.HTTPError as e:
            body = e.read()
            return ("http", e.code, body), f"HTTP {e.code}, {len(body)} bytes"
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as e:
            last = str(getattr(e, "reason", e))
        state = tool.state(name)
        if state and not state.get("Running", True) and state.get("Status") == "exited":
            return ("exited", state.get("ExitCode")), f"exited {state.get('ExitCode')} before answering"
        time.sleep(0.25)
    return ("no answer",), f"no answer from {url} ({last})"


def _get(url: str) -> tuple | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def _command(tool: Builder, name: str, probe: Probe, deadline: float) -> tuple[tuple, str]:
    env = {**os.environ, "CONTAINER": name, "REFACTOR_CONTAINER": name}
    while True:
        done = subprocess.run(probe.command, shell=True, capture_output=True, text=True, env=env, timeout=60)
        if done.returncode == 0 or time.monotonic() > deadline:
            return ("command", done.returncode, done.stdout), f"probe exited {done.returncode}" + (
                ", printed " + _short(done.stdout) if done.stdout.strip() else "")
        time.sleep(0.5)


def _answers(port: int) -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def _uid_of(pid: int) -> int | None:
    """The real uid of the container's main process, read from the host's /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("Uid:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= limit else flat[: limit - 1] + "…")


# --- the build context ---------------------------------------------------------------------------

COMMENTS = {".py": "#", ".rb": "#", ".sh": "#", ".js": "//", ".mjs": "//", ".cjs": "//", ".ts": "//",
            ".tsx": "//", ".jsx": "//", ".go": "//", ".rs": "//", ".java": "//", ".kt": "//", ".cs": "//",
            ".c": "//", ".h": "//", ".cc": "//", ".cpp": "//", ".hpp": "//", ".scala": "//", ".swift": "//"}


def _copy_context(source: Path, target: Path) -> None:
    """All of it, .git included (version-from-git builds read it); .dockerignore does the rest."""
    shutil.copytree(source, target, symlinks=True)


def copied_sources(text: str) -> list[str]:
    """The context paths the Dockerfile's COPY and ADD read ("." for the whole context)."""
    from .syntax import parse

    out = []
    for ins in parse(text).instructions:
        if ins.keyword in ("COPY", "ADD") and ins.flag("from") is None and not ins.heredocs:
            for src in list(ins.arguments)[:-1]:
                clean = os.path.normpath(src.lstrip("/")) if "://" not in src else None
                if clean is not None:
                    out.append("." if clean in ("", ".") else clean)
    return out


def _source_to_change(context: Path, sources: list[str] | None = None) -> tuple[str, str] | None:
    """One source file of the app that the build copies (not a test, not a dependency
    manifest: those have no comment syntax here) and its comment marker: the file a
    developer's one-line change would touch."""
    from .model.context import BuildContext, context_files

    ctx = BuildContext.at(context)
    candidates = []
    for path in context_files(ctx, ctx.root, tuple(COMMENTS), 2000):
        rel = path.relative_to(ctx.root).as_posix()
        if "test" in rel.lower() or any(part.startswith(".") for part in rel.split("/")[:-1]):
            continue
        if sources is not None and not any(
                s == "." or rel == s or rel.startswith(s.rstrip("/") + "/") or fnmatch(rel, s) for s in sources):
            continue  # the build never reads it
        candidates.append((rel.count("/"), rel, COMMENTS[path.suffix]))
    if not candidates:
        return None
    _, rel, comment = min(candidates)
    return rel, comment


def _change_one_line(context: Path, rel: str, comment: str, marker: str) -> None:
    """Append one comment line to the file, replacing the line a previous call appended."""
    path = context / rel
    data = path.read_bytes()
    cut = data.find(b"\n" + comment.encode() + b" changed by refactor verify")
    if cut >= 0:
        data = data[:cut]
    path.write_bytes(data + f"\n{comment} changed by refactor verify to time a cached rebuild ({marker})\n".encode())


# --- printing ------------------------------------------------------------------------------------


def render(report: Report, *, color: bool = False) -> str:
    from rich.console import Console
    from rich.table import Table

    if not report.original.built and report.exit_code == EXIT_SAME:
        return report.verdict  # nothing was built
    o, r = report.original, report.refactored
    table = Table(title=f"refactor verify {report.path} ({report.builder})", title_justify="left")
    table.add_column("")
    table.add_column("original")
    table.add_column("refactored")
    rows = [
        ("build", _ok(o.built), _ok(r.built)),
        ("probe", o.outcome_text or "-", r.outcome_text or "-"),
        ("final image size", _size(o.size), _size(r.size)),
        ("layers", _num(o.layers), _num(r.layers)),
        ("user", _user(o), _user(r)),
        ("health check", o.healthcheck, r.healthcheck),
        ("build time", _secs(o.build_seconds), _secs(r.build_seconds)),
        ("cached rebuild", _secs(o.rebuild_seconds), _secs(r.rebuild_seconds)),
    ]
    for row in rows:
        table.add_row(*row)
    console = Console(record=True, width=110, force_terminal=color, no_color=not color)
    with console.capture() as capture:
        console.print(table)
    lines = [capture.get().rstrip("\n"), f"probe: {report.probe.describe()}"]
    if report.changed_file:
        lines.append(f"cached rebuild: one comment line appended to {report.changed_file} (in a copy of the context)")
    if report.kept:
        lines.append("kept (as last built, after the rebuild's change): " + ", ".join(report.kept))
    lines.append(report.verdict)
    return "\n".join(lines)


def _ok(built: bool) -> str:
    return "ok" if built else "failed"


def _size(n: int | None) -> str:
    return "-" if not n else f"{n / 1e6:.1f} MB"


def _num(n: int | None) -> str:
    return "-" if n is None else str(n)


def _secs(s: float | None) -> str:
    return "-" if s is None else f"{s:.1f} s"


def _user(image: ImageReport) -> str:
    if not image.built:
        return "-"
    return image.user + (f" (uid {image.run_uid})" if image.run_uid is not None else "")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors exit 2, as the main command's do
        self.print_usage(sys.stderr)
        print(f"refactor: {message}", file=sys.stderr)
        raise SystemExit(EXIT_INPUT)


def main(argv: list[str]) -> int:
    p = _Parser(prog="refactor verify",
                description="Build the original and the refactored Dockerfile, run both, and compare.",
                epilog="Containers run on the host network, one after the other. Exit codes: 0 the refactored "
                       "image behaves the same, 1 it behaves differently, fails its health check or does not "
                       "build, 2 usage, no builder, a base image that cannot be had, an original that does "
                       "not build or run, or a container runtime that cannot run containers here, 3 internal "
                       "error.")
    p.add_argument("path", metavar="PATH", help="the Dockerfile")
    p.add_argument("--context", metavar="DIR", help="build context (default: the Dockerfile's directory)")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--probe", metavar="CMD", help="a command run on the host while the container is up "
                     "($CONTAINER names it); its exit code and output are compared")
    how.add_argument("--http", metavar="PORT/PATH", help="GET http://127.0.0.1:PORT/PATH; status and body are compared")
    how.add_argument("--wait", action="store_true", help="a batch job: wait for its end (up to --timeout) and compare "
                     "its exit code and output (default: a container still running after 5 s counts as a service)")
    p.add_argument("--builder", choices=BUILDERS, help="default: docker (if its engine answers), podman, buildah")
    level = p.add_mutually_exclusive_group()
    level.add_argument("--unsafe-fixes", action="store_true", help="verify with fixes that may change behaviour")
    level.add_argument("--safe-only", action="store_true", help="verify only fixes that keep the image identical")
    p.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                   help="how long to wait for an HTTP answer, a probe's success or, with --wait, a batch job's "
                        "end (default: 60)")
    p.add_argument("--keep", action="store_true", help="keep the images (refactor-verify-*) afterwards")
    p.add_argument("--format", dest="output_format", default="text", choices=("text", "json"))
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    ns = p.parse_args(argv)
    # a CI timeout sends SIGTERM: leave through the cleanup, as Ctrl-C does
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        probe = (Probe.http(ns.http) if ns.http else Probe("command", command=ns.probe) if ns.probe
                 else Probe("batch") if ns.wait else Probe())
        report = verify(ns.path, context=ns.context, probe=probe, builder=ns.builder,
                        level="unsafe" if ns.unsafe_fixes else "safe" if ns.safe_only else None,
                        keep=ns.keep, timeout=ns.timeout,
                        log=(lambda m: None) if ns.quiet or ns.output_format == "json"
                        else (lambda m: print(f"refactor verify: {m}", file=sys.stderr)))
    except VerifyError as e:
        print(f"refactor verify: {e}", file=sys.stderr)
        return e.code
    except Exception:  # a bug of ours, or a builder answering in a way we did not expect
        import traceback

        print(f"refactor verify: internal error\n{traceback.format_exc()}", file=sys.stderr)
        return EXIT_INTERNAL
    if ns.output_format == "json":
        print(json.dumps(report.as_dict(), indent=2))
    else:
        from .output import use_color

        print(render(report, color=use_color()))
    return report.exit_code
