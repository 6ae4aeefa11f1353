"""The dated table of current releases (refactor/data/pins.toml, or the project's own)."""

from __future__ import annotations

import datetime as _dt
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..syntax.image import ImageRef

__all__ = ["PinTable", "load_pin_table", "image_key"]

BUNDLED = Path(__file__).resolve().parents[1] / "data" / "pins.toml"


class PinTableError(ValueError):
    pass


@dataclass(frozen=True)
class PinTable:
    date: str
    source: str
    images: dict[str, tuple[tuple[str, str], ...]]  # key -> ((since, tag), ...) oldest first

    def current(self, key: str, on: str | None = None) -> str | None:
        """The tag that is the choice on day `on` (default: today)."""
        day = on or _dt.date.today().isoformat()
        chosen = None
        for since, tag in self.images.get(key, ()):
            if since <= day:
                chosen = tag
        return chosen

    def candidates(self, key: str, on: str | None = None) -> list[str]:
        day = on or _dt.date.today().isoformat()
        return [tag for since, tag in self.images.get(key, ()) if since <= day]


def image_key(ref: ImageRef) -> str:
    """`python` for python, library/python and docker.io/library/python; else registry/path."""
    if ref.is_docker_hub:
        path = ref.path
        return path[len("library/"):] if path.startswith("library/") else path
    return f"{ref.registry}/{ref.path}"


@lru_cache(maxsize=8)
def load_pin_table(path: str | None = None) -> PinTable:
    source = Path(path) if path else BUNDLED
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise PinTableError(f"{source}: cannot read the pin table: {e}") from None
    images = {}
    for key, entry in (data.get("images") or {}).items():
        tags = []
        for item in entry.get("tags", []):
            tags.append((str(item["since"]), str(item["tag"])))
        images[key] = tuple(sorted(tags))
    return PinTable(str(data.get("date", "")), str(source), images)
