"""Which files are Dockerfiles and which build context a compose file gives them: read by discovery
(which files a run takes) and by the rules that reason about every Dockerfile of a context (CX)."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

__all__ = ["COMPOSE", "DISCOVERY", "compose_contexts", "is_dockerfile_name"]

DISCOVERY = ("Dockerfile", "Dockerfile.*", "*.Dockerfile", "*.dockerfile", "Containerfile", "Containerfile.*")
COMPOSE = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")


_DISCOVERY_RE = re.compile("|".join(fnmatch.translate(g) for g in DISCOVERY))


# names the globs match that are not Dockerfiles: BuildKit's per-Dockerfile ignore file
# (Dockerfile.dockerignore), documentation and editors' leftovers, as the pre-commit hook's pattern says
_NOT_DOCKERFILES = re.compile(r"\.(?:dockerignore|md|markdown|rst|txt|orig|rej|bak|swp)$")


def is_dockerfile_name(name: str) -> bool:
    return _DISCOVERY_RE.match(name) is not None and _NOT_DOCKERFILES.search(name) is None


def compose_contexts(compose: Path) -> dict[str, str]:
    """Dockerfile (resolved path) -> build context, for each service a compose file builds."""
    try:
        import yaml
    except ImportError:  # pragma: no cover - PyYAML is a dependency
        return {}
    try:
        data = yaml.safe_load(compose.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    out: dict[str, str] = {}
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, dict):
        return out
    for service in services.values():
        build = service.get("build") if isinstance(service, dict) else None
        if isinstance(build, str):
            build = {"context": build}
        if not isinstance(build, dict):
            continue
        context = build.get("context", ".")
        if not isinstance(context, str) or "://" in context or context.startswith("git@"):
            continue
        ctx = (compose.parent / context).resolve()
        dockerfile = build.get("dockerfile", "Dockerfile")
        if not isinstance(dockerfile, str):
            continue
        out[str((ctx / dockerfile).resolve())] = str(ctx)
    return out
