from __future__ import annotations

import re

from ...syntax.edits import Replace
from ...model.commands import appended_command, is_windows
from ...model.packages import cache_mounts
from ..base import Fix, Rule, Safety, Skip


class YarnCacheClean(Rule):
    """
    ## What it does
    Ends a shell-form `RUN` that runs `yarn install` with
    `&& yarn cache clean` where the project uses Yarn 1 (classic): no
    `.yarnrc.yml` in the build context and no `packageManager` naming Yarn 2
    or later in `package.json`.

    ## Why
    Yarn 1 keeps a copy of every package it installs in its global cache
    (`/usr/local/share/.cache/yarn` for root). The packages are already in
    `node_modules`; the cache stays in the layer and often doubles its size.
    hadolint reports the missing clean as DL3060.

    ## Example
    ```dockerfile
    FROM node:20-slim
    COPY package.json yarn.lock ./
    RUN yarn install --frozen-lockfile
    ```

    ## Use instead
    ```dockerfile
    FROM node:20-slim
    COPY package.json yarn.lock ./
    RUN yarn install --frozen-lockfile && yarn cache clean
    ```

    ## Fix safety
    Safe: `node_modules` is the same; only Yarn 1's global cache leaves the
    layer. Left alone: projects on Yarn 2 or later (`.yarnrc.yml`,
    `packageManager: yarn@2…`), whose `yarn cache clean` empties the project's
    own `.yarn/cache`, which Plug'n'Play reads at run time; builds without a
    known context; `RUN`s with a cache mount on Yarn's cache; stages where a
    later `RUN` installs `--offline` from the cache; and `RUN`s ending in a
    comment, a `;` or a command in the background.
    """

    code = "HY044"
    name = "yarn-cache-clean"
    title = "Clean Yarn's cache in the RUN that installs"
    rationale = "Yarn 1 keeps a copy of every installed package in its cache, which stays in the layer beside node_modules."
    resolves = ("DL3060",)
    safety = Safety.SAFE

    def check(self, model):
        runs = list(model.shell_runs())
        for n, (ins, script) in enumerate(runs):
            stage = model.stage_of(ins)
            if stage is None or is_windows(model, stage):
                continue
            installs = [k for k, c in enumerate(script.commands) if _is_yarn(c, "install")]
            if not installs:
                continue
            cleans = [k for k, c in enumerate(script.commands) if _is_yarn(c, "cache") and "clean" in c.argv]
            if cleans and max(cleans) > max(installs):
                continue
            if any(".cache/yarn" in t or t.endswith("/yarn") for t in cache_mounts(ins)):
                continue  # the cache lives in a build cache mount, not in the layer
            why = _berry(model) or _later_offline(model, runs, n, stage)
            if why:
                yield Skip(f"yarn's cache stays: {why}", ins)
                continue
            at = appended_command(script) if not script.has_errors else None
            if at is None:
                yield Skip("yarn's cache stays: the RUN ends in something a clean cannot follow (a comment, a `;`, "
                           "a command in the background) or has if/for/while", ins)
                continue
            code = model.edited_run(ins, [(at, at, " && yarn cache clean")])
            if code is None:
                yield Skip("yarn's cache stays: the RUN is laid out in a way this rule cannot edit", ins)
                continue
            yield Fix(ins, "yarn cache clean drops Yarn 1's copy of the packages, which node_modules already holds",
                      Safety.SAFE, (Replace(ins, code, verbatim=True),))


def _is_yarn(command, verb: str) -> bool:
    return command.name == "yarn" and verb in command.argv[1:]


def _berry(model) -> str | None:
    """Why the project may use Yarn 2 or later, whose cache clean empties the project's own cache."""
    context = model.context
    if not context.known:
        return "the build context is not known, so nothing tells whether the project uses Yarn 1"
    if context.exists(".yarnrc.yml"):
        return ".yarnrc.yml says the project uses Yarn 2 or later, whose cache Plug'n'Play reads at run time"
    data = context.read_json("package.json")
    manager = data.get("packageManager") if isinstance(data, dict) else None
    if isinstance(manager, str) and manager.startswith("yarn@") and not re.match(r"yarn@1\.", manager):
        return f"package.json names {manager}, whose cache Plug'n'Play reads at run time"
    return None


def _later_offline(model, runs, n, stage) -> str | None:
    for other, script in runs[n + 1:]:
        s = model.stage_of(other)
        if s is None or stage.index not in {c.index for c in model.stage_chain(s)}:
            continue
        for command in script.commands:
            if command.name == "yarn" and ("--offline" in command.argv or "--prefer-offline" in command.argv):
                return f"line {other.start_line} installs from the cache with yarn --offline"
    return None
