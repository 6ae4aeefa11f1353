"""The error every caller of `parse` handles: input Docker would reject."""

from __future__ import annotations

__all__ = ["ParseError"]


class ParseError(ValueError):
    """A Dockerfile that Docker rejects, with where and why.

    `str(error)` is `path:line:col: message` (path omitted when unknown),
    followed by the offending source line and a caret under the column.
    """

    def __init__(self, message: str, *, line: int, column: int = 1, source: str = "", path: str | None = None):
        self.message = message
        self.line = line
        self.column = column
        self.source = source
        self.path = path
        super().__init__(self.__str__())

    @property
    def location(self) -> str:
        where = f"{self.line}:{self.column}"
        return f"{self.path}:{where}" if self.path else where

    def __str__(self) -> str:
        head = f"{self.location}: {self.message}"
        if not self.source:
            return head
        source, column = self.source, max(self.column, 1)
        if len(source) > 160:  # a very long line: show its start, where the column usually is
            source = source[:157] + "..."
            column = min(column, 158)
        caret = " " * (column - 1) + "^"
        return f"{head}\n    {source}\n    {caret}"

    def __reduce__(self):
        return (_rebuild, (self.message, self.line, self.column, self.source, self.path))


def _rebuild(message, line, column, source, path):
    return ParseError(message, line=line, column=column, source=source, path=path)
