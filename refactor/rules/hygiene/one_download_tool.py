from __future__ import annotations

from ...syntax.edits import Replace
from ...model.commands import is_windows
from ...model.images import image_facts
from ..base import Fix, Rule, Safety, Skip


class OneDownloadTool(Rule):
    """
    ## What it does
    In a stage whose `RUN`s call both `curl` and `wget`, rewrites the
    `wget` downloads as `curl` ones, where curl is there already when the
    download runs (called earlier in the stage, or shipped by the base
    image): `wget -qO- URL` → `curl -fsSL URL`, `wget -O FILE URL` →
    `curl -fsSL -o FILE URL`, `wget URL` → `curl -fsSLO URL`. A `wget` with
    any other option (`-P`, `--no-check-certificate`, `-c`, headers,
    recursion) is left alone with the reason, and with it the stage.

    ## Why
    Two tools that do the same job are two sets of options to read and two
    packages to install, patch and scan. hadolint reports a stage that calls
    both as DL4001.

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install -y --no-install-recommends curl wget ca-certificates \
        && rm -rf /var/lib/apt/lists/*
    RUN curl -fsSL https://example.com/a.tgz | tar -xz -C /opt
    RUN wget -q -O /opt/b.tgz https://example.com/b.tgz
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install -y --no-install-recommends curl wget ca-certificates \
        && rm -rf /var/lib/apt/lists/*
    RUN curl -fsSL https://example.com/a.tgz | tar -xz -C /opt
    RUN curl -fsSL -o /opt/b.tgz https://example.com/b.tgz
    ```

    ## Fix safety
    Review: the same file is fetched to the same place, and `-f` and `-L`
    keep wget's habits of failing on an HTTP error and following redirects,
    but curl does not retry a broken connection the way wget does (20
    tries), so a flaky network fails the build sooner. The package that
    installs wget stays: the application or its scripts may call it at run
    time, which the Dockerfile cannot show; remove it yourself where nothing
    does.
    """

    code = "HY053"
    name = "one-download-tool"
    title = "Download with one of curl and wget, not both"
    rationale = "Calling both curl and wget in one stage means two tools with two sets of options for one job."
    resolves = ("DL4001",)
    safety = Safety.REVIEW

    def check(self, model):
        for stage in model.stages:
            if is_windows(model, stage):
                continue
            runs = [(i, model.script(i)) for i in stage.instructions if model.script(i) is not None and not i.heredocs]
            calls = [(i, c) for i, s in runs for c in s.commands if c.name in ("curl", "wget")]
            if not {c.name for _, c in calls} >= {"curl", "wget"}:
                continue
            shipped = "curl" in image_facts(model.base_image(model.stage_chain(stage)[0])).tools
            first_curl = next((i, c) for i, c in calls if c.name == "curl")
            edits: dict[int, list] = {}
            why = None
            for ins, command in calls:
                if command.name != "wget":
                    continue
                if not shipped and (ins.start_line, command.start) < (first_curl[0].start_line, first_curl[1].start):
                    why = (f"the wget at line {ins.start_line} runs before curl is first called (line "
                           f"{first_curl[0].start_line}), so curl may not be there yet")
                    break
                new = _as_curl(command)
                if isinstance(new, str) and not new.startswith("curl "):
                    why = f"the wget at line {ins.start_line} {new}"
                    break
                edits.setdefault(id(ins), []).append((command.words[0].start, command.words[-1].end, new))
            if why:
                yield Skip(f"wget stays beside curl: {why}", stage.from_instruction)
                continue
            fixes = []
            for ins, script in runs:
                mine = edits.get(id(ins))
                if not mine:
                    continue
                code = model.edited_run(ins, mine) if not script.has_errors else None
                if code is None:
                    why = f"the RUN at line {ins.start_line} is laid out in a way this rule cannot edit"
                    break
                fixes.append(Fix(ins, "curl downloads this as wget did (-f fails on an HTTP error, -L follows "
                                      "redirects): one download tool for the stage", Safety.REVIEW,
                                 (Replace(ins, code, verbatim=True),)))
            if why:
                yield Skip(f"wget stays beside curl: {why}", stage.from_instruction)
                continue
            yield from fixes


_QUIET = {"-q", "--quiet", "-nv", "--no-verbose"}


def _as_curl(command) -> str:
    """The curl command that downloads what this wget does, or why there is none."""
    words = command.words
    output = None
    url = None
    i = 1
    while i < len(words):
        w = words[i]
        value = w.value
        if value is None:
            if url is not None:
                return "names more than one address"
            url = w.text
            i += 1
            continue
        if value in _QUIET or value.startswith("--progress="):
            i += 1
            continue
        if value in ("-O", "-qO", "--output-document") and i + 1 < len(words):
            output = words[i + 1].text
            i += 2
            continue
        if value.startswith("--output-document="):
            output = w.text.split("=", 1)[1]
            i += 1
            continue
        if value.startswith(("-O", "-qO")) and not value.startswith("--"):
            output = w.text[w.text.index("O") + 1:]
            i += 1
            continue
        if value.startswith("-"):
            return f"uses {value}, which this rule does not translate"
        if url is not None:
            return "names more than one address"
        url = w.text
        i += 1
    if url is None:
        return "names no address"
    if output is None:
        return f"curl -fsSLO {url}"
    if output == "-":
        return f"curl -fsSL {url}"
    return f"curl -fsSL -o {output} {url}"
