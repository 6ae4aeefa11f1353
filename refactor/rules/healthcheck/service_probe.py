from __future__ import annotations

import json
import re

from ...engine.edits import InsertAfter, InsertBefore
from ...model.images import image_facts
from ..base import Fix, Rule, Safety, Skip

OPTIONS = "--interval=30s --timeout=5s --start-period=15s --retries=3"
_TRAILING = frozenset({"CMD", "ENTRYPOINT", "STOPSIGNAL"})

# known server commands and how they name their port (default when not given)
_SERVERS = [
    ("gunicorn", re.compile(r"(?:-b|--bind)[ =]\S*:(\d+)"), 8000),
    ("uvicorn", re.compile(r"--port[ =](\d+)"), 8000),
    ("hypercorn", re.compile(r"(?:-b|--bind)[ =]\S*:(\d+)"), 8000),
    ("flask", re.compile(r"(?:-p|--port)[ =](\d+)"), 5000),
    ("http.server", re.compile(r"http\.server\s+(\d+)"), 8000),
    ("rails", re.compile(r"(?:-p|--port)[ =](\d+)"), 3000),
    ("puma", re.compile(r"(?:-p|--port)[ =](\d+)"), 9292),
]


class ServiceHealthcheck(Rule):
    """
    ## What it does
    Adds a `HEALTHCHECK` to the final stage of a service: an image that
    `EXPOSE`s a port or starts a known server (gunicorn, uvicorn, flask,
    `python -m http.server`, rails, puma). The probe uses what the image has:
    a Python or Node.js one-liner that connects to the port where the runtime
    is there, else `curl` (where the image or the Dockerfile installs it), else
    BusyBox `wget` on Alpine.

    ## Why
    Without a health check, Docker, Compose and Swarm only know whether the
    process exists, not whether it answers: a hung server stays "up". hadolint
    has no rule for this; it is the Docker documentation's advice for services.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    EXPOSE 8000
    CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    EXPOSE 8000
    HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \\
        CMD ["python", "-c", "import socket; socket.create_connection(('127.0.0.1', 8000), timeout=3).close()"]
    CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]
    ```

    ## Fix safety
    Review: the image gains a health check; the application itself is
    unchanged. An orchestrator that restarts unhealthy containers will now
    act on it, so the probe checks only that the port accepts connections
    (curl accepts any HTTP answer; BusyBox wget needs `/` to answer 2xx, which
    the message points out). No health check is added to batch jobs, CLIs,
    images that have one, or images without a probe tool (distroless,
    scratch): the rule says so.
    """

    code = "HC001"
    name = "service-healthcheck"
    title = "Add a HEALTHCHECK to services"
    rationale = "Without a health check Docker only knows the process exists, not that the service answers."
    resolves = ()
    safety = Safety.REVIEW

    def check(self, model):
        stage = model.final_stage
        if stage is None:
            return
        chain = model.stage_chain(stage)
        instructions = [i for s in chain for i in s.instructions]
        if any(i.keyword == "HEALTHCHECK" for i in instructions):
            return
        port, why = _service_port(instructions)
        if port is None:
            return  # a batch job or a CLI
        ref = model.base_image(chain[0])
        facts = image_facts(ref)
        probe = _probe(facts, instructions, model, port)
        if probe is None:
            yield Skip(f"no probe tool in {ref} (no python, node, curl or wget): add a health check by hand", stage.from_instruction)
            return
        argv, tool = probe
        code = f"HEALTHCHECK {OPTIONS} \\\n    CMD {json.dumps(argv, ensure_ascii=False)}"
        before = model.trailing_config(stage, _TRAILING)
        edit = InsertBefore(before, code) if before is not None else InsertAfter(stage.instructions[-1], code)
        note = " (BusyBox wget counts only a 2xx answer on /)" if tool == "wget" else ""
        yield Fix(stage.from_instruction, f"the service ({why}) has no health check: probe port {port} with {tool}{note}",
                  Safety.REVIEW, (edit,))


def _service_port(instructions) -> tuple[int | None, str]:
    for ins in instructions:
        if ins.keyword == "EXPOSE":
            for p in ins.arguments:
                m = re.match(r"(\d+)(?:/tcp)?$", p)
                if m:
                    return int(m.group(1)), f"EXPOSE {p}"
    commands = [i for i in instructions if i.keyword in ("CMD", "ENTRYPOINT")]
    text = " ".join(" ".join(i.arguments) for i in commands)
    for name, port_re, default in _SERVERS:
        if re.search(rf"(^|[\s/]){re.escape(name)}(\s|$)", text):
            m = port_re.search(text)
            return (int(m.group(1)) if m else default), name
    return None, ""


def _installs(instructions, model, package: str) -> bool:
    for ins in instructions:
        script = model.script(ins)
        if script is None:
            continue
        for cmd in script.commands:
            if cmd.name in ("apt-get", "apt", "apk", "yum", "dnf", "microdnf") and cmd.has(package):
                return True
    return False


def _probe(facts, instructions, model, port: int):
    if facts.family in ("scratch",) or (facts.family == "distroless" and "wget" not in facts.tools):
        return None
    if "python" in facts.runtimes:
        return ["python", "-c", f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=3).close()"], "python"
    if "node" in facts.runtimes:
        return ["node", "-e", f"require('net').connect({port}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))"], "node"
    if "curl" in facts.tools or _installs(instructions, model, "curl"):
        return ["curl", "-so", "/dev/null", f"http://127.0.0.1:{port}/"], "curl"
    if "wget" in facts.tools or _installs(instructions, model, "wget"):
        return ["wget", "-q", "--spider", f"http://127.0.0.1:{port}/"], "wget"
    return None
