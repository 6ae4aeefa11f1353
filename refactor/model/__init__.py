"""Read-only meaning of a parsed Dockerfile, computed on demand for the rules.

The model answers the questions rules share: which stage is final, what a
stage's base image is once `ARG`s are substituted, which commands a `RUN`
calls (parsed with a real shell parser), what the build context holds. It
never changes the tree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..syntax.edits import Style
from ..syntax.image import ImageRef, substitute
from ..syntax.tree import Dockerfile, Instruction, Stage
from .context import BuildContext
from .shell import Script, parse_script

__all__ = ["Model", "Options", "BuildContext"]


@dataclass(frozen=True)
class Options:
    """Settings rules read: the pin table, and whether the network may be used."""

    pin_table: str | None = None  # path of a TOML table replacing the bundled one
    pin_date: str | None = None  # YYYY-MM-DD: use the table's entries as of that day
    pin_digests: bool = False  # resolve tags to digests from the registry (network)
    registry_mirror: str | None = None  # base URL of a registry to ask instead of the image's own
    target: str | None = None  # the stage `--target` names; the last stage when None
    user_id: int | None = None  # uid and gid of the user US001 adds (10001 when None)
    buildkit: bool = True  # BuildKit-only syntax may be added (false: the legacy builder)
    syntax_directive: bool = True  # a file given BuildKit-only syntax gets `# syntax=docker/dockerfile:1`
    standalone_edits: bool = True  # compute each Change.edit (a language server's diagnostics skip them)
    extra: dict[str, Any] = field(default_factory=dict)


class Model:
    def __init__(self, df: Dockerfile, context: BuildContext | None = None, options: Options | None = None) -> None:
        self.df = df
        self.context = context or BuildContext(None)
        self.options = options or Options()

    @cached_property
    def style(self) -> Style:
        return Style.of(self.df)

    @property
    def stages(self) -> tuple[Stage, ...]:
        return self.df.stages

    @cached_property
    def final_stage(self) -> Stage | None:
        stages = self.df.stages
        if not stages:
            return None
        if self.options.target:
            for s in stages:
                if s.name == self.options.target.lower():
                    return s
        return stages[-1]

    @cached_property
    def stage_names(self) -> frozenset[str]:
        return frozenset(s.name for s in self.df.stages if s.name)

    def stage_of(self, ins: Instruction) -> Stage | None:
        for s in self.df.stages:
            if any(i is ins for i in s.instructions):
                return s
        return None

    @cached_property
    def global_arg_values(self) -> dict[str, str | None]:
        """ARGs declared before the first FROM, with their defaults (None: no default)."""
        values: dict[str, str | None] = {}
        for ins in self.df.global_args:
            for key, value in ins.pairs:
                has_default = "=" in next((a for a in ins.arguments if a.partition("=")[0] == key), "")
                values[key] = _unquote(substitute(value, values)) if has_default else None
        return values

    def stage_chain(self, stage: Stage) -> list[Stage]:
        """The stage and the stages it is built FROM (`FROM build AS test`), root first."""
        chain = [stage]
        seen = {stage.index}
        while True:
            base = chain[0].base_name.lower()
            parent = next((s for s in self.df.stages[: chain[0].index] if s.name == base), None)
            if parent is None or parent.index in seen:
                return chain
            seen.add(parent.index)
            chain.insert(0, parent)

    def trailing_config(self, stage: Stage, kinds: frozenset[str]) -> Instruction | None:
        """The first of the instructions of `kinds` (CMD, EXPOSE…) that end the stage, if any.

        New build steps go before it, so the stage still ends with its configuration.
        """
        point = None
        for ins in reversed(stage.instructions[1:]):
            if ins.keyword not in kinds:
                break
            point = ins
        return point

    def reparsed(self, ins: Instruction, code: str) -> Instruction | None:
        """`ins` as the whole file reads with its own text replaced by `code`.

        None when that would change the file's other instructions (an emptied
        continued line joining the next instruction, say) or not parse. Only the
        window that can change is parsed: the parser directives, the instruction
        and the one after it (which a dangling continuation or an opened heredoc
        would swallow), so checking every RUN of a long file stays linear.
        """
        from ..syntax.edits import ending_like
        from ..syntax.errors import ParseError
        from ..syntax.parser import parse

        instructions = self.df.instructions
        index = next(n for n, other in enumerate(instructions) if other is ins)
        following = instructions[index + 1 : index + 2]
        text = self._code
        window = "".join((
            text[: self._spans[0][0]],  # the parser directives
            "FROM scratch\n",
            "".join(t.code for t in ins.leading),
            ending_like(code, ins.own_code, self.style.newline),  # as apply_edits writes a Replace
            text[slice(*self._spans[index + 1])] if following else "",
        ))
        try:
            new = parse(window).instructions
        except ParseError:
            return None
        if len(new) != 2 + len(following):
            return None
        if following and new[2].own_code != following[0].own_code:
            return None
        return new[1]

    @cached_property
    def _code(self) -> str:
        return self.df.code

    @cached_property
    def _spans(self) -> list[tuple[int, int]]:
        """(start, end) of each instruction's text in the file, its leading comments included."""
        spans = []
        offset = sum(len(n.code) for n in self.df.header)
        for ins in self.df.instructions:
            size = sum(len(t.code) for t in ins.leading) + len(ins.own_code)
            spans.append((offset, offset + size))
            offset += size
        return spans

    def edited_run(self, ins: Instruction, edits: list[tuple[int, int, str]]) -> str | None:
        """A shell-form RUN's own code with `edits` made to its logical text, layout kept.

        None unless the file then reads that RUN exactly as meant (and its
        other instructions as before): the check every RUN rewrite goes through.
        """
        from ..syntax.textedit import arguments_text, edit_arguments

        if ins.keyword != "RUN" or ins.is_exec_form or not ins.arguments:
            return None
        text = ins.arguments[0]
        if arguments_text(ins) != text:
            return None
        code = edit_arguments(ins, edits)
        expected = text
        for start, end, new in sorted(edits, reverse=True):
            expected = expected[:start] + new + expected[end:]
        again = self.reparsed(ins, code)
        if again is None or again.keyword != "RUN" or again.arguments[:1] != (expected,):
            return None
        return code

    def base_image(self, stage: Stage) -> ImageRef:
        """The stage's base with global ARG defaults substituted where known."""
        text = stage.base_name
        if "$" in text:
            text = substitute(text, self.global_arg_values)
        return ImageRef.parse(text)

    def base_is_stage(self, stage: Stage) -> bool:
        """FROM names an earlier stage rather than an image."""
        name = self.base_image(stage).text.lower()
        return any(s.name == name for s in self.df.stages[: stage.index])

    def script(self, ins: Instruction) -> Script | None:
        """The shell script of a shell-form RUN (None for exec form and other instructions)."""
        if ins.keyword != "RUN" or ins.is_exec_form or not ins.arguments:
            return None
        return parse_script(ins.arguments[0])

    def shell_runs(self):
        """(instruction, script) for every shell-form RUN without heredocs, in order."""
        for ins in self.df.instructions:
            if ins.heredocs:
                continue
            script = self.script(ins)
            if script is not None:
                yield ins, script

    def stage_env(self, stage: Stage) -> dict[str, str]:
        env: dict[str, str] = {}
        for ins in stage.instructions:
            if ins.keyword == "ENV":
                for k, v in ins.pairs:
                    env[k] = _unquote(v)
        return env


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value
