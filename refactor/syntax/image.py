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
        """Split a reference; `${VAR:-default}` counts as one piece, whatever it holds."""
        at = _top_level(text, "@")
        rest, digest_value = (text[:at[0]], text[at[0] + 1:]) if at else (text, None)
        slashes = _top_level(rest, "/")
        colons = _top_level(rest, ":")
        slash = slashes[-1] if slashes else -1
        tag = None
        if colons and colons[-1] > slash:
            rest, tag = rest[:colons[-1]], rest[colons[-1] + 1:]
            slashes = [i for i in slashes if i < colons[-1]]
        registry = None
        if slashes:
            first = rest[:slashes[0]]
            if "." in first or ":" in first or first == "localhost":
                registry, rest = first, rest[slashes[0] + 1:]
        return cls(text, registry, rest, tag, digest_value)

    @property
    def is_valid(self) -> bool:
        """Plausible as Docker's reference grammar reads it (symbolic references count as valid)."""
        if self.is_symbolic:
            return True
        if not _PATH.fullmatch(self.path) or (self.tag is not None and not _TAG.fullmatch(self.tag)):
            return False
        return self.digest is None or bool(_DIGEST.fullmatch(self.digest))

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


_PATH = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*")
_TAG = re.compile(r"[\w][\w.-]{0,127}")
_DIGEST = re.compile(r"[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}")


def _top_level(text: str, ch: str) -> list[int]:
    """Positions of `ch` outside `${…}`."""
    out = []
    depth = 0
    i = 0
    while i < len(text):
        c = text[i]
        if c == "$" and text[i + 1:i + 2] == "{":
            depth += 1
            i += 2
            continue
        if c == "}" and depth:
            depth -= 1
        elif c == ch and not depth:
            out.append(i)
        i += 1
    return out


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
