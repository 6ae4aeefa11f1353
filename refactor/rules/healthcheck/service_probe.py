from __future__ import annotations

import json

from ...syntax.edits import InsertAfter, InsertBefore
from ...model.images import image_facts
from ...model.service import available_tools, service_port
from ..base import Fix, Rule, Safety, Skip

OPTIONS = "--interval=30s --timeout=5s --start-period=15s --retries=3"
_TRAILING = frozenset({"CMD", "ENTRYPOINT", "STOPSIGNAL"})



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
        env: dict[str, str] = {}
        for s in chain:
            env.update(model.stage_env(s))
        service = service_port(instructions, env, model=model)
        if service.problem:
            yield Skip(f"{service.problem}: add a health check by hand", _blamed(instructions, service.problem)
                       or stage.from_instruction)
            return
        if service.port is None:
            return  # a batch job, a CLI, or a unix socket
        ref = model.base_image(chain[0])
        facts = image_facts(ref)
        tools = available_tools(model, instructions, set(facts.runtimes) | set(facts.tools) | _shell_of(facts))
        probe = _probe(facts, tools, service)
        if probe is None:
            if not facts.known and not tools:
                reason = f"cannot tell which tools {ref} has"
            elif service.proxied:
                reason = (f"{service.proxied}: a probe of / would report that upstream's health (BusyBox wget counts "
                          "only a 2xx answer), and the image has no python, node or bash to test a TCP connection")
            elif not service.http:
                reason = (f"port {service.port} may not speak HTTP, and the image has no python, node or bash "
                          "to test a TCP connection")
            else:
                reason = f"no probe tool in {ref} (no python, node, bash, curl or wget)"
            yield Skip(f"{reason}: add a health check by hand", _blamed(instructions, "EXPOSE") or stage.from_instruction)
            return
        argv, tool = probe
        # one option a line: tally's newline-per-chained-call asks for it
        code = "HEALTHCHECK " + "".join(f"{o} \\\n    " for o in OPTIONS.split()) + f"CMD {json.dumps(argv, ensure_ascii=False)}"
        before = model.trailing_config(stage, _TRAILING)
        edit = InsertBefore(before, code) if before is not None else InsertAfter(stage.instructions[-1], code)
        kind = "an HTTP request" if tool in ("curl", "wget") else "a TCP connection"
        note = " (BusyBox wget counts only a 2xx answer on /)" if tool == "wget" else ""
        port = f"${service.var} (or {service.port} when it is unset)" if service.var else service.port
        yield Fix(stage.from_instruction,
                  f"the service ({service.why}) has no health check: {kind} to port {port} with {tool}{note}",
                  Safety.REVIEW, (edit,))


def _shell_of(facts) -> set[str]:
    """Debian and Ubuntu always have bash (an Essential package)."""
    return {"bash"} if facts.family in ("debian", "ubuntu") else set()


def _probe(facts, tools: set[str], service):
    """The probe's argv and its tool; where the port is read from the environment at run time, the
    probe reads it too (`os.environ`, `process.env`, or a shell's `${PORT:-8080}`)."""
    port, var = service.port, service.var
    if facts.family == "scratch" or (facts.family == "distroless" and "wget" not in facts.tools):
        return None
    for python in ("python", "python3"):
        if python in tools:
            target = f"int(os.environ.get('{var}', '{port}'))" if var else str(port)
            imports = "os, socket" if var else "socket"
            return [python, "-c", f"import {imports}; socket.create_connection(('127.0.0.1', {target}), timeout=3).close()"], python
    if "node" in tools:
        target = f"Number(process.env.{var} || {port})" if var else str(port)
        return ["node", "-e", f"require('net').connect({target}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))"], "node"
    shell_port = f"${{{var}:-{port}}}" if var else str(port)
    if "bash" in tools:
        return ["bash", "-c", f"exec 3<>/dev/tcp/127.0.0.1/{shell_port}"], "bash"
    if facts.family == "distroless" and var:
        return None  # no shell to read the variable
    if service.http and "curl" in tools:
        if var:
            return ["sh", "-c", f"curl -so /dev/null http://127.0.0.1:{shell_port}/"], "curl"
        return ["curl", "-so", "/dev/null", f"http://127.0.0.1:{port}/"], "curl"
    if service.http and not service.proxied and "wget" in tools and facts.family in ("alpine", "busybox"):
        if var:
            return ["sh", "-c", f"wget -q --spider http://127.0.0.1:{shell_port}/"], "wget"
        return ["wget", "-q", "--spider", f"http://127.0.0.1:{port}/"], "wget"
    return None




def _blamed(instructions, problem: str):
    """The instruction a decline points at: the EXPOSE it weighs, else the command."""
    kinds = ("EXPOSE",) if problem.startswith("EXPOSE") or " EXPOSE " in problem else ("CMD", "ENTRYPOINT")
    return next((i for i in reversed(instructions) if i.keyword in kinds), None)
