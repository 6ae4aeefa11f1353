"""Image references: `registry:port/namespace/name:tag@sha256:digest`.

Split the way Docker's reference grammar (distribution/reference) splits them:
the first path component is a registry only when it looks like a host (has a
`.` or a `:`, or is `localhost`); the tag is what follows the last `:` after
the last `/`. References built from `ARG`s stay symbolic until the values are
known: `ImageRef.parse("${BASE}:${TAG}")` keeps the variables, and
`substitute()` fills in what it can.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

__all__ = ["ImageRef", "substitute"]

_VAR = re.compile(r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-+])(?P<word>[^}]*))?\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))")


@dataclass(frozen=True, slots=True)
class ImageRef:
    """A parsed image reference; `str()` gives back the text it was parsed from."""

    text: str
    registry: str | None  # "ghcr.io", "localhost:5000"; None means Docker Hub
    path: str  # "library/python" is written "python": this is the path as written
    tag: str | None
    digest: str | None

    @classmethod
    def parse(cls, text: str) -> "ImageRef":
        rest, at, digest = text.partition("@")
        digest_value = digest if at else None
        slash = rest.rfind("/")
        colon = rest.rfind(":")
        tag = None
        if colon > slash:
            rest, tag = rest[:colon], rest[colon + 1:]
        registry = None
        first, sep, remainder = rest.partition("/")
        if sep and ("." in first or ":" in first or first == "localhost"):
            registry, rest = first, remainder
        return cls(text, registry, rest, tag, digest_value)

    def __str__(self) -> str:
        return self.text

    @property
    def name(self) -> str:
        """The last path component: `python` for `docker.io/library/python:3.12`."""
        return self.path.rsplit("/", 1)[-1]

    @property
    def is_symbolic(self) -> bool:
        """True when an unresolved `$VAR` is part of the reference."""
        return "$" in self.text

    @property
    def is_scratch(self) -> bool:
        return self.text.lower() == "scratch"

    @property
    def is_docker_hub(self) -> bool:
        return self.registry is None or self.registry in ("docker.io", "index.docker.io", "registry-1.docker.io")

    @property
    def repository(self) -> str:
        """Docker Hub's normalised repository: `library/python` for `python`."""
        if self.is_docker_hub and "/" not in self.path:
            return f"library/{self.path}"
        return self.path

    @property
    def is_pinned(self) -> bool:
        """A concrete tag other than `latest`, or a digest."""
        return self.digest is not None or (self.tag is not None and self.tag != "latest")

    def with_tag(self, tag: str | None) -> "ImageRef":
        return self._rebuilt(tag=tag)

    def with_digest(self, digest: str | None) -> "ImageRef":
        return self._rebuilt(digest=digest)

    def _rebuilt(self, **changes) -> "ImageRef":
        new = replace(self, **changes)
        text = (f"{new.registry}/" if new.registry else "") + new.path
        if new.tag is not None:
            text += f":{new.tag}"
        if new.digest is not None:
            text += f"@{new.digest}"
        return replace(new, text=text)


def substitute(text: str, values: dict[str, str | None]) -> str:
    """Replace `$VAR`, `${VAR}`, `${VAR:-x}`, `${VAR-x}`, `${VAR:+x}`, `${VAR+x}`.

    `values` maps names to their value, or None for declared without a value.
    A variable missing from `values` stays as written.
    """

    def one(m: re.Match[str]) -> str:
        name = m.group("braced") or m.group("bare")
        if name not in values:
            return m.group(0)
        value = values[name]
        op = m.group("op")
        if op is None:
            return value or ""
        word = m.group("word") or ""
        unset = value is None
        empty = unset or value == ""
        if op == ":-":
            return word if empty else value  # type: ignore[return-value]
        if op == "-":
            return word if unset else value  # type: ignore[return-value]
        if op == ":+":
            return "" if empty else word
        return "" if unset else word

    return _VAR.sub(one, text)
