from __future__ import annotations

import json
import re
import shlex

from ...syntax.edits import Replace
from ...syntax.textedit import replace_arguments
from ...model.command import copied_source
from ..base import Fix, Rule, Safety, Skip

_MANAGERS = ("npm", "yarn", "pnpm")
# the script's words must be a plain `node …`: no shell syntax, no variables, no other program
_SHELL = re.compile(r"[$`|&;<>()*?\[\]{}~\\'\"]|^\s*\w+=")
_NPM_ENV = re.compile(r"\bnpm_(?:package|config|lifecycle)_\w*")


class NpmStartNode(Rule):
    """
    ## What it does
    Replaces a final `CMD ["npm", "start"]` (also `npm run start`, `yarn start`,
    `pnpm start`, or a named script) with the script's own command when
    package.json makes that a plain `node …` (`"start": "node server.js"`), in
    exec form.

    ## Why
    As PID 1, npm starts the script through a shell as its child and does not
    forward `docker stop`'s SIGTERM reliably, so the application gets no chance
    to close connections and is killed after the timeout. `node server.js` as
    the command receives the signal itself. It also saves npm's start-up time
    and memory.

    ## Example
    ```dockerfile
    WORKDIR /app
    COPY . .
    CMD ["npm", "start"]
    ```
    with `"scripts": {"start": "node server.js"}` in package.json.

    ## Use instead
    ```dockerfile
    WORKDIR /app
    COPY . .
    CMD ["node", "server.js"]
    ```

    ## Fix safety
    Unsafe: the command changes. What npm adds no longer happens: `prestart`
    and `poststart` scripts (the rule declines when package.json has them), the
    `npm_package_*` and `npm_config_*` variables (it declines when the source
    reads them) and `node_modules/.bin` on `PATH` (a plain `node` does not need
    it). It declines when the script uses shell syntax, variables or another
    program, when package.json is not the one the build copied, and when an
    `ENTRYPOINT` receives the command.
    """

    code = "HY070"
    name = "npm-start-to-node"
    title = "Run node directly instead of through npm start"
    rationale = "npm as PID 1 does not forward SIGTERM reliably; node itself receives it."
    safety = Safety.UNSAFE

    def check(self, model):
        final = model.final_stage
        if final is None:
            return
        cmd = next((i for i in reversed(final.instructions) if i.keyword == "CMD"), None)
        if cmd is None or not cmd.is_exec_form:
            return
        words = list(cmd.arguments)
        if not words or words[0] not in _MANAGERS:
            return
        rest = words[1:]
        if rest[:1] in (["run"], ["run-script"]):
            rest = rest[1:]
        if len(rest) != 1 or rest[0].startswith("-"):
            return  # arguments passed on to the script, or options: left as written
        script = rest[0]
        if any(i.keyword == "ENTRYPOINT" for s in model.stage_chain(final) for i in s.instructions):
            yield Skip(f"an ENTRYPOINT receives the command as arguments; the `{words[0]} "
                       f"{script}` stays", cmd)
            return
        instructions = [i for s in model.stage_chain(final) for i in s.instructions]
        source = copied_source(model, instructions, "package.json")
        if source is None:
            if model.context.known:
                yield Skip(f"`{' '.join(words)}` reads a package.json this file does not copy "
                           f"from the build context; it stays", cmd)
            return
        data = model.context.read_json(source)
        scripts = data.get("scripts") if isinstance(data, dict) and isinstance(data.get("scripts"), dict) else {}
        line = scripts.get(script)
        if not isinstance(line, str):
            return  # npm's own default (`node server.js`) or no such script: left to npm
        for hook in (f"pre{script}", f"post{script}"):
            if hook in scripts:
                yield Skip(f"{source} has a `{hook}` script, which only npm runs; the "
                           f"`{words[0]} {script}` stays", cmd)
                return
        if _SHELL.search(line):
            yield Skip(f"the `{script}` script of {source} (`{line}`) uses shell syntax or "
                       f"variables; the `{words[0]} {script}` stays", cmd)
            return
        argv = shlex.split(line)
        if not argv or argv[0] != "node" or len(argv) < 2:
            return  # another program (nodemon, ts-node, next): not a plain node command
        reader = _reads_npm_env(model, source)
        if reader:
            yield Skip(f"{reader} reads npm's environment (npm_package_…), which node alone "
                       f"does not set; the `{words[0]} {script}` stays", cmd)
            return
        new = replace_arguments(cmd, json.dumps(argv, ensure_ascii=False))
        yield Fix(cmd, f"CMD runs `{line}` itself instead of `{' '.join(words)}`: as PID 1, {words[0]} does not "
                       f"forward SIGTERM reliably, so the application would get no graceful stop (the command "
                       f"changes: npm's environment variables no longer apply)", Safety.UNSAFE, (Replace(cmd, new),))


def _reads_npm_env(model, package_json: str) -> str | None:
    """The first JavaScript file next to package.json that reads npm_package_* / npm_config_*."""
    from ..split import context_files

    ctx = model.context
    if not ctx.known:
        return None
    folder = package_json.rsplit("/", 1)[0] if "/" in package_json else ""
    root = ctx.root / folder if folder else ctx.root
    for path in context_files(ctx, root, (".js", ".mjs", ".cjs", ".ts"), 400):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if _NPM_ENV.search(text):
            return path.relative_to(ctx.root).as_posix()
    return None


__all__ = ["NpmStartNode"]
