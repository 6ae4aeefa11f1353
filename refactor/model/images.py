"""Facts about base images (refactor/data/images.toml): family, shipped user, tools."""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..syntax.image import ImageRef
from .pins import image_key

__all__ = ["ImageFacts", "image_facts"]

DATA = Path(__file__).resolve().parents[1] / "data" / "images.toml"


@dataclass(frozen=True)
class ImageFacts:
    key: str
    family: str | None  # debian, ubuntu, alpine, busybox, distroless, scratch, … or None: unknown
    user: str | None = None  # a non-root user the image ships
    runtimes: tuple[str, ...] = ()  # python, node, … available as commands
    tools: tuple[str, ...] = ()  # curl, wget
    starts_as_root: str | None = None  # why a USER line would break it
    workdir: str | None = None  # the WORKDIR the image sets ("/" when it sets none); None: unknown
    uid: str | None = None  # "uid:gid" of `user`
    ca_certificates: bool | None = None  # ships Debian's ca-certificates package; None: unknown

    @property
    def known(self) -> bool:
        return self.family is not None


@lru_cache(maxsize=1)
def _table() -> dict:
    return tomllib.loads(DATA.read_text(encoding="utf-8")).get("images", {})


def image_facts(ref: ImageRef) -> ImageFacts:
    if ref.is_scratch:
        return ImageFacts("scratch", "scratch")
    key = image_key(ref)
    table = _table()
    entry = table.get(key)
    if entry is None:
        for pattern, value in table.items():
            if "*" in pattern and fnmatch.fnmatchcase(key, pattern):
                entry = value
                break
    entry = dict(entry or {})
    family = entry.get("family")
    tag = (ref.tag or "").lower()
    if "alpine" in tag and family not in (None, "distroless", "scratch"):
        family = "alpine"
        entry["tools"] = sorted(set(entry.get("tools", [])) | {"wget"})
    if family == "distroless" and "debug" in tag:
        entry["tools"] = ["wget"]
    if key == "php" and "apache" in tag:
        entry["starts_as_root"] = "php's apache variant starts Apache as root to bind port 80"
    return ImageFacts(
        key,
        family,
        entry.get("user"),
        tuple(entry.get("runtimes", ())),
        tuple(entry.get("tools", ())),
        entry.get("starts_as_root"),
        entry.get("workdir"),
        entry.get("uid"),
        None if family == "alpine" else
        entry.get("slim_ca_certificates", entry.get("ca_certificates")) if "slim" in tag else entry.get("ca_certificates"),
    )
