from __future__ import annotations

from ..base import Rule, Safety, Skip
from ..split import DISTROS, SplitRule, distro_language

# base images whose own command runs a program when the file sets none
_RUNNING_BASES = {"nginx", "httpd", "node", "python", "ruby", "php", "tomcat", "jetty", "redis", "mongo", "postgres",
                  "mysql", "mariadb", "rabbitmq", "memcached", "haproxy", "traefik", "caddy", "wordpress", "ghost",
                  "jenkins", "grafana", "registry", "elasticsearch"}


_NAMES = {"python": "Python", "node": "Node.js", "ruby": "Ruby", "php": "PHP", "java": "Java", "go": "Go"}


class UnclaimedSplit(Rule):
    """
    ## What it does
    Changes nothing. For a single-stage Dockerfile whose image runs a program
    and that no split rule (MS001-MS010) takes, it says why the file stays
    single-stage and what would let it split: the base image no split rule
    knows, a distribution image on which the file installs no language runtime
    the splits follow, or several runtimes with a command that does not say
    which one the application uses.

    ## Why
    A file left alone without a word reads as a file the tool did not look at.
    In bulk mode the report then lists, for every such file, what a person
    would have to do by hand.

    ## Example
    ```dockerfile
    FROM nvcr.io/nvidia/cuda:12.2.0-runtime-ubuntu22.04
    COPY . /app
    CMD ["/app/run.sh"]
    ```

    ## Use instead
    The file stays as it is; the report says "no split rule knows the base
    image nvcr.io/nvidia/cuda:12.2.0-runtime-ubuntu22.04".

    ## Fix safety
    None: it only reports.
    """

    code = "MS011"
    name = "split-unclaimed"
    title = "Say why a single-stage file that no split rule takes stays single-stage"
    rationale = "Every file the split leaves alone gets a reason a user can act on."
    safety = Safety.REVIEW
    reports_only = True

    def check(self, model):
        if len(model.stages) != 1:
            return
        stage = model.stages[0]
        base = model.base_image(stage)
        key = base.path.rsplit("/", 1)[-1]
        runs = any(i.keyword in ("CMD", "ENTRYPOINT") for i in stage.instructions) or key in _RUNNING_BASES
        if not runs:
            return  # nothing runs: a base for other images
        if "$" in stage.base_name:
            yield Skip(f"the base image {stage.base_name} is set by a build argument: a runtime stage would not follow "
                       f"it, and no split rule can tell what it holds; split by hand", stage.from_instruction)
            return
        from .. import all_rules

        if any(isinstance(r, SplitRule) and r.owns(model) for r in all_rules()):
            return
        if key in ("scratch",) or base.path.startswith("distroless/") or "distroless" in base.path:
            yield Skip(f"the base image {base.text} is already minimal: a split has nothing to leave behind",
                       stage.from_instruction)
            return
        lang, why = distro_language(model)
        if key in DISTROS and why:
            yield Skip(why + "; split by hand", stage.from_instruction)
            return
        if lang is not None:
            yield Skip(f"the file installs {_NAMES.get(lang, lang)} on {base.text} with the package manager, and the "
                       f"{_NAMES.get(lang, lang)} split does not take distribution images yet; split by hand",
                       stage.from_instruction)
            return
        yield Skip(f"no split rule knows the base image {base.text} (the splits know the official language images, "
                   f"the .NET SDK, and distribution images that install a language with the package manager); "
                   f"split by hand", stage.from_instruction)

__all__ = ["UnclaimedSplit"]
