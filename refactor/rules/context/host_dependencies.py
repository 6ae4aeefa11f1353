from __future__ import annotations

from ..base import FileFix, Rule, Safety, Skip
from .builds import builds_of, entries, recreating_run

_FOLDERS = ("node_modules", ".venv", "venv")


class IgnoreHostDependencies(Rule):
    """
    ## What it does
    Where the context's `.dockerignore` lets the host's `node_modules` or virtual environment
    through, and a stage installs that folder and then copies the context over it (`RUN npm ci`,
    then `COPY . .`), adds the folder's line to `.dockerignore`.

    ## Why
    The later `COPY` puts the developer's own `node_modules` (or `.venv`) over the one the build
    just installed: packages built for another system and another C library, in versions the
    lockfile may not name. The image then works on one machine and fails on the next.

    ## Example
    ```dockerfile
    RUN npm ci
    COPY . .
    ```
    with a `.dockerignore` that does not name `node_modules`.

    ## Use instead
    The same Dockerfile, and `node_modules` added to `.dockerignore`.

    ## Fix safety
    Review: the image's configuration is kept; the folder the image holds is the one the build
    installed, as the Dockerfile means. Added only where the install runs in the folder the `COPY`
    lands in, before it, and no `COPY` or `ADD` of any Dockerfile of the context names the folder.
    """

    code = "CX002"
    name = "ignore-host-dependencies"
    title = "Keep the host's dependency folder out of the image"
    rationale = "A COPY after the install would put the host's node_modules or venv over the installed one."
    safety = Safety.REVIEW

    def check(self, model):
        ctx = model.context
        if not ctx.known or not (ctx.root / ".dockerignore").is_file():
            return
        path = model.df.path
        if path and path != "-":
            from pathlib import Path

            if Path(path + ".dockerignore").is_file():
                return  # BuildKit reads that one for this Dockerfile instead
        builds, problem = builds_of(model)
        if problem or any(b.unknown for b in builds):
            yield Skip(problem or next(b.unknown for b in builds if b.unknown))
            return
        this = builds[0]
        added: list[str] = []
        why: list[str] = []
        target = None
        for entry in entries():
            if entry.line not in _FOLDERS or ctx.ignored(entry.line):
                continue
            rules = entry.rules
            if any(rules.excludes(s.clean) for b in builds for s in b.sources if s.clean != "."):
                continue  # a COPY names it: the host's copy is wanted
            for s in this.sources:
                if not (s.folder and s.clean == "." and s.instruction.keyword in ("COPY", "ADD")):
                    continue
                run = recreating_run(model, s, entry.recreated, before=True)
                if run is None:
                    continue
                added.append(entry.line)
                why.append(f"{this.where(s.instruction)} copies the host's {entry.line} over the one "
                           f"{this.where(run)} installs")
                target = target or s.instruction
                break
        if not added:
            return
        original = (ctx.root / ".dockerignore").read_bytes().decode("utf-8", "replace")
        sep = "" if not original or original.endswith("\n") else "\n"
        text = original + sep + "".join(f"{line}\n" for line in added)
        yield FileFix(target, f"add {', '.join(added)} to .dockerignore: {'; '.join(why)}", Safety.REVIEW,
                      ".dockerignore", text, original)
