from __future__ import annotations

import re

from ...syntax.edits import InsertBefore, Remove, Replace
from ...syntax.textedit import arguments_text, edit_arguments
from ..base import Fix, Rule, Safety, Skip
from ..buildkit.syntax_directive import directive_edits


class SecretMount(Rule):
    """
    ## What it does
    Moves a build argument whose name says it holds a secret (`ARG
    NPM_TOKEN`, `ARG GITHUB_TOKEN`, as BuildKit reads names) into a secret
    mount of the `RUN` lines that use it: each such `RUN` gets
    `--mount=type=secret,id=NAME` and reads the value from
    `/run/secrets/NAME` into the same variable, and the `ARG` (with an
    `ENV NAME=$NAME` that only passes it on) goes.

    ## Why
    Build arguments and environment variables are recorded in the image's
    history and configuration: anyone who can pull the image can read the
    token. A secret mount exists only while the `RUN` runs. BuildKit warns
    (SecretsUsedInArgOrEnv).

    ## Example
    ```dockerfile
    FROM node:20-slim
    ARG NPM_TOKEN
    RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci && rm .npmrc
    ```

    ## Use instead
    ```dockerfile
    # syntax=docker/dockerfile:1
    FROM node:20-slim
    RUN --mount=type=secret,id=NPM_TOKEN NPM_TOKEN="$(cat /run/secrets/NPM_TOKEN || true)" && export NPM_TOKEN && echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci && rm .npmrc
    ```

    ## Fix safety
    Unsafe, offered as a suggestion: the build changes how it is called.
    It then needs `--secret id=NAME,src=FILE` (Docker, Buildah and Podman;
    Docker also takes `id=NAME,env=NAME`) instead of `--build-arg NAME=…`;
    without it the variable is empty, as it was without the build argument.
    The secret is read from the mounted file rather than with the mount's
    `env=` option, which Buildah 1.28 refuses. `RUN` lines that do not name
    the variable no longer have it in their environment, and an `ENV` that
    passed it on no longer sets it in the image. An argument with a default
    in the file, one used by any other instruction (`COPY`, `FROM`, another
    `ENV`), used only by programs that read it from the environment (no
    `RUN` names it), or in a `RUN` with a heredoc or in exec form, is left
    alone and reported as skipped. Secrets written into an `ENV` value are
    left to the author.
    """

    code = "HY027"
    name = "secret-mount"
    title = "Pass secret build arguments through secret mounts"
    rationale = "Build arguments and environment variables are readable in the image's history, secret mounts are not."
    resolves = ("SecretsUsedInArgOrEnv",)
    safety = Safety.UNSAFE

    def check(self, model):
        if not model.options.buildkit:
            return  # secret mounts are BuildKit's: the legacy builder has none
        names: dict[str, list] = {}
        for stage in model.stages:
            for ins in stage.instructions[1:]:
                if ins.keyword in ("ARG", "ENV"):
                    for key, _ in ins.pairs:
                        if is_secret_name(key):
                            names.setdefault(key, []).append((stage, ins))
        for name, places in names.items():
            result = _plan(model, name, places)
            if isinstance(result, str):
                yield Skip(result, places[0][1])
                continue
            edits, runs, dropped_env, unnamed = result
            needs = (f"the build then needs `--secret id={name},src=FILE` (Docker also takes "
                     f"`id={name},env={name}`) instead of `--build-arg {name}=…`")
            more = ""
            if dropped_env:
                more += f"; the stage no longer sets {name} in its environment"
            if unnamed:
                more += (f"; the later RUN line that does not name {name} no longer sees it" if unnamed == 1 else
                         f"; the {unnamed} later RUN lines that do not name {name} no longer see it")
            used = "the RUN line that uses it" if runs == 1 else f"the {runs} RUN lines that use it"
            message = f"ARG {name} moved into a secret mount of {used}, read from /run/secrets/{name}: {needs}{more}"
            edits.extend(directive_edits(model))
            yield Fix(places[0][1], message, Safety.UNSAFE, tuple(edits))


# BuildKit's reading of a name that holds a secret (frontend/dockerfile/linter), and the names it lets pass
_SECRET = re.compile(r"(?i)(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)")
_ALLOWED = re.compile(r"(?i)(?:_|^)(?:public|file)(?:_|$)")
_ALLOWED_NAMES = {"SECRET_KEY_BASE"}  # Rails' own: tally lets it pass


def is_secret_name(name: str) -> bool:
    return bool(_SECRET.search(name)) and not _ALLOWED.search(name) and name not in _ALLOWED_NAMES


def _mentions(text: str, name: str) -> bool:
    return bool(re.search(rf"\$(?:{re.escape(name)}(?![A-Za-z0-9_])|\{{{re.escape(name)}\b)", text))


def _plan(model, name: str, places):
    """(edits, RUNs changed, whether an ENV goes, RUNs in scope that do not name it), or why not."""
    edits = []
    runs = unnamed = 0
    dropped_env = False
    for stage, ins in places:
        if ins.keyword == "ENV":
            continue  # judged with the ARG it passes on, below
        if len(ins.arguments) != 1 or "=" in ins.arguments[0]:
            what = "has a default value in the file" if "=" in ins.arguments[0] else "is declared with other arguments"
            return f"ARG {name} stays: it {what}"
        edits.append(Remove(ins))
        scope = [stage]
        later = list(stage.instructions[stage.instructions.index(ins) + 1:])
        for other in later:
            if other.keyword == "ENV" and any(k == name for k, _ in other.pairs):
                if other.pairs == ((name, f"${name}"),) or other.pairs == ((name, f"${{{name}}}"),):
                    edits.append(Remove(other))
                    dropped_env = True
                    scope = [s for s in model.stages if stage in model.stage_chain(s)]
                    continue
                return f"ARG {name} stays: line {other.start_line} sets {name} in an ENV"
        instructions = later + [i for s in scope[1:] for i in s.instructions[1:]]
        named = 0
        for other in instructions:
            if any(e.target is other for e in edits):
                continue
            if other.keyword == "ARG" and any(k == name for k, _ in other.pairs):
                break  # declared again: the rest is the next place's business
            text = other.original
            if other.keyword != "RUN":
                if _mentions(text, name) or (other.keyword == "ONBUILD"):
                    return f"ARG {name} stays: line {other.start_line} ({other.keyword}) uses it"
                continue
            if not _mentions(text, name):
                unnamed += 1
                continue
            if other.is_exec_form or other.heredocs or arguments_text(other) != other.arguments[0]:
                return f"ARG {name} stays: the RUN at line {other.start_line} is in exec form or has a heredoc"
            code = _with_secret(model, other, name)
            if code is None:
                return f"ARG {name} stays: the RUN at line {other.start_line} could not be rewritten"
            edits.append(Replace(other, code, verbatim=True))
            named += 1
        if not named:
            return (f"ARG {name} stays: no RUN names it, so a program may read it from the environment, "
                    "which a secret mount does not set")
        runs += named
    if not runs:
        return (f"ENV {name} stays: its value is written in the Dockerfile, so it is no build argument a secret "
                "mount could bring in (a key ID or a placeholder is no secret; a real one needs moving by hand)")
    for ins in model.df.global_args:
        if any(k == name for k, _ in ins.pairs):
            if any(_mentions(s.from_instruction.original, name) for s in model.stages):
                return f"ARG {name} stays: a FROM line uses it"
            if len(ins.arguments) != 1 or "=" in ins.arguments[0]:
                return f"ARG {name} stays: its global declaration has a default or other arguments"
            edits.append(Remove(ins))
    return edits, runs, dropped_env, unnamed


def _with_secret(model, ins, name: str) -> str | None:
    """The RUN with a secret mount, reading the secret into `name` before its command."""
    # assigned, then exported: `export X="$(…)"` would hide the status of the read (ShellCheck
    # SC2155); `|| true` keeps a build without the secret going, its variable empty, as without the
    # build argument, also under a SHELL with -e
    code = edit_arguments(ins, [(0, 0, f'{name}="$(cat /run/secrets/{name} || true)" && export {name} && ')])
    tokens = list(ins.tokens)
    cut = 0
    for n, t in enumerate(tokens):
        if t.kind == "FLAG" or t.kind == ins.keyword:
            cut = sum(len(x.text) for x in tokens[: n + 1])
    code = code[:cut] + f" --mount=type=secret,id={name}" + code[cut:]
    new = model.reparsed(ins, code)
    if new is None or new.keyword != "RUN" or new.flag("mount") is None:
        return None
    return code

