"""The parser's public API, read as a specification."""

from __future__ import annotations

import pytest

import refactor
from refactor import ParseError, parse
from refactor.syntax.image import ImageRef, substitute


def kinds(instruction) -> list[str]:
    return [t.kind for t in instruction.tokens]


# --- losslessness ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# only a comment\n",
        "# syntax=docker/dockerfile:1\n",
        "FROM alpine",
        "FROM alpine\n",
        "\ufeffFROM alpine\r\nRUN echo hi \\\r\n  there\r\n",
        "FROM a\nRUN echo \\\n# comment inside\n\n   \n  more\n",
        "  FROM a   \n\t\n",
        "FROM a\nRUN x \\",
        "FROM a\nRUN x \\\n# trailing comment at the end of the file",
        "FROM a\nCOPY <<EOF <<-'TWO' /dest/\nbody\nEOF\n\t\tsecond\n\tTWO\n",
    ],
)
def test_code_gives_back_the_exact_text(text: str) -> None:
    assert parse(text).code == text


def test_every_byte_belongs_to_exactly_one_token() -> None:
    text = "# escape=`\nFROM a\nRUN echo `\n  # note\n  b\nCOPY --chown=1:1 x y\n# tail\n"
    df = parse(text)
    assert "".join(t.text for t in df.walk()) == text


def test_comments_and_blank_lines_belong_to_the_instruction_they_precede() -> None:
    df = parse("FROM a\n\n# install\nRUN x\n# end\n")
    run = df.instructions[1]
    assert [type(t).__name__ for t in run.leading] == ["BlankLine", "Comment"]
    assert run.leading[1].text == "install"
    assert [c.text for c in df.trailing] == ["end"]


def test_continuation_comment_and_empty_lines_are_named_tokens_of_the_instruction() -> None:
    df = parse("FROM a\nRUN apt-get update \\\n  # why\n\n  && apt-get install -y curl\n")
    assert kinds(df.instructions[1]) == [
        "RUN", "WHITESPACE", "TEXT", "LINE_CONTINUATION", "COMMENT_LINE", "EMPTY_LINE", "TEXT", "NEWLINE",
    ]


def test_a_file_without_final_newline_keeps_its_last_line() -> None:
    df = parse("FROM a\nCMD x")
    assert df.instructions[-1].tokens[-1].kind == "NEWLINE"
    assert df.instructions[-1].tokens[-1].text == ""


# --- meaning -----------------------------------------------------------------------------


def test_keywords_are_read_in_any_case() -> None:
    df = parse("from alpine AS Build\nrUn echo\n")
    assert [i.keyword for i in df.instructions] == ["FROM", "RUN"]
    assert df.instructions[1].keyword_text == "rUn"
    assert df.stages[0].name == "build"


def test_flags_are_read_as_buildkit_reads_them() -> None:
    df = parse('FROM a\nRUN --mount=type=cache,target=/root/.cache --network=none "--x" echo\n')
    run = df.instructions[1]
    assert [(f.name, f.value) for f in run.flags] == [("mount", "type=cache,target=/root/.cache"), ("network", "none")]
    assert run.flag("network") == "none"
    assert run.arguments == ('"--x" echo',)


def test_exec_form_is_a_valid_json_array_of_strings_only() -> None:
    df = parse('FROM a\nCMD ["a", "b"]\nCMD [bad\nCMD ["a",]\n')
    assert [i.is_exec_form for i in df.instructions[1:]] == [True, False, False]
    assert df.instructions[1].arguments == ("a", "b")
    assert df.instructions[2].arguments == ("[bad",)


def test_env_and_label_pairs_keep_the_values_as_written() -> None:
    df = parse('FROM a\nENV A=1 B="two words"\nENV LEGACY value with spaces\nLABEL "k"=v\n')
    assert df.instructions[1].pairs == (("A", "1"), ("B", '"two words"'))
    assert df.instructions[2].pairs == (("LEGACY", "value with spaces"),)
    assert df.instructions[2].is_legacy_key_value
    assert df.instructions[3].pairs == (('"k"', "v"),)


def test_heredocs_give_name_content_and_options() -> None:
    df = parse("FROM a\nRUN <<-'EOF' bash\n\techo $HOME\n\tEOF\nCOPY <<A <<B /x/\n1\nA\n2\nB\n")
    run, copy = df.instructions[1], df.instructions[2]
    assert [(h.name, h.content, h.chomp, h.expand) for h in run.heredocs] == [("EOF", "\techo $HOME\n", True, False)]
    assert [(h.name, h.content) for h in copy.heredocs] == [("A", "1\n"), ("B", "2\n")]
    assert (run.start_line, run.end_line) == (2, 4)


def test_onbuild_exposes_its_trigger() -> None:
    df = parse("FROM a\nONBUILD RUN --mount=type=cache,target=/x make\n")
    onbuild = df.instructions[1]
    assert onbuild.keyword == "ONBUILD"
    assert onbuild.trigger_keyword == "RUN"
    assert [f.name for f in onbuild.trigger_flags] == ["mount"]
    assert onbuild.arguments == ("make",)


def test_healthcheck_none_and_cmd() -> None:
    df = parse('FROM a\nHEALTHCHECK NONE\nHEALTHCHECK --interval=5s CMD ["curl", "-f", "x"]\n')
    assert df.instructions[1].arguments == ("NONE",)
    assert df.instructions[2].arguments == ("CMD", "curl", "-f", "x")
    assert df.instructions[2].is_exec_form


def test_directives_only_at_the_top() -> None:
    df = parse("# syntax=docker/dockerfile:1\n# ESCAPE = `\n\n# escape=\\\nFROM a\n")
    assert [(d.name, d.value) for d in df.directives] == [("syntax", "docker/dockerfile:1"), ("escape", "`")]
    assert df.escape == "`"


def test_backtick_escape_continues_lines_and_backslash_is_plain() -> None:
    df = parse("# escape=`\nFROM mcr.microsoft.com/windows/servercore\nRUN dir c:\\ `\n  && echo ok\n")
    assert df.instructions[1].original == "RUN dir c:\\   && echo ok"


def test_an_escaped_escape_at_the_end_of_a_line_does_not_continue() -> None:
    df = parse("FROM a\nRUN echo \\\\\nRUN next\n")
    assert len(df.instructions) == 3


def test_stages_carry_name_base_and_platform() -> None:
    df = parse("ARG V=3.12\nFROM --platform=$BUILDPLATFORM python:${V}-slim AS build\nRUN x\nFROM scratch\nCOPY --from=build /a /a\n")
    build, final = df.stages
    assert (build.name, build.base_name, build.platform) == ("build", "python:${V}-slim", "$BUILDPLATFORM")
    assert build.base.is_symbolic
    assert final.name is None and final.base.is_scratch
    assert [i.keyword for i in build.instructions] == ["FROM", "RUN"]
    assert [i.keyword for i in df.global_args] == ["ARG"]


# --- image references --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, registry, path, tag, digest",
    [
        ("python", None, "python", None, None),
        ("python:3.12-slim", None, "python", "3.12-slim", None),
        ("library/python:3", None, "library/python", "3", None),
        ("ghcr.io/org/app:v1", "ghcr.io", "org/app", "v1", None),
        ("localhost:5000/app", "localhost:5000", "app", None, None),
        ("registry:5000/ns/app:1.0@sha256:" + "a" * 64, "registry:5000", "ns/app", "1.0", "sha256:" + "a" * 64),
        ("user/app@sha256:" + "b" * 64, None, "user/app", None, "sha256:" + "b" * 64),
        ("python:${V:-3.11}-slim", None, "python", "${V:-3.11}-slim", None),
        ("${IMG:-python:3.11}", None, "${IMG:-python:3.11}", None, None),
        ("${REGISTRY:-ghcr.io}/org/app:${TAG}", "${REGISTRY:-ghcr.io}", "org/app", "${TAG}", None),
    ],
)
def test_image_reference_parts(text, registry, path, tag, digest) -> None:
    ref = ImageRef.parse(text)
    assert (ref.registry, ref.path, ref.tag, ref.digest) == (registry, path, tag, digest)
    assert str(ref) == text


def test_image_reference_validity() -> None:
    assert ImageRef.parse("ghcr.io/org/app:1.2@sha256:" + "c" * 64).is_valid
    assert not ImageRef.parse("a@b@c").is_valid
    assert not ImageRef.parse("python:3.11:extra").is_valid
    assert not ImageRef.parse("Python:3").is_valid


def test_image_reference_pinning_and_rewriting() -> None:
    assert not ImageRef.parse("node").is_pinned
    assert not ImageRef.parse("node:latest").is_pinned
    assert ImageRef.parse("node:20").is_pinned
    assert str(ImageRef.parse("ghcr.io/a/b:latest").with_tag("1.2")) == "ghcr.io/a/b:1.2"
    assert ImageRef.parse("python").repository == "library/python"


def test_arg_substitution_is_symbolic_until_values_are_known() -> None:
    assert substitute("python:${V}-slim", {}) == "python:${V}-slim"
    assert substitute("python:${V}-slim", {"V": "3.12"}) == "python:3.12-slim"
    assert substitute("${BASE:-debian}:$TAG", {"BASE": None, "TAG": "12"}) == "debian:12"
    assert substitute("x${A:+-suffix}", {"A": "1"}) == "x-suffix"


# --- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("FROM a\nRUN <<EOF\nno end\n", 2, "unterminated heredoc"),
        ("FROM a\nCMD [1]\n", 2, "arrays must be comprised of strings only"),
        ("FROM a\nENV ONLYKEY\n", 2, "ENV must have two arguments"),
        ("# escape=x\nFROM a\n", 1, "invalid escape token"),
        ("# syntax=a\n# syntax=b\nFROM a\n", 2, "only one syntax parser directive"),
        ("FORM ubuntu\n", 1, "unknown instruction: FORM"),
        ("FROM a b\n", 1, "FROM requires either one or three arguments"),
        ("FROM a AS 1x\n", 1, "invalid name for build stage"),
        ("FROM a\nCOPY onlyone\n", 2, "requires at least two arguments"),
        ("FROM a\nONBUILD ONBUILD RUN x\n", 2, "Chaining ONBUILD"),
        ("FROM a\nRUN --bogus=1 x\n", 2, "unknown flag: --bogus"),
        ("FROM a\nHEALTHCHECK NONE x\n", 2, "HEALTHCHECK NONE takes no arguments"),
        ("FROM a\nUSER\n", 2, "USER requires exactly one argument"),
    ],
)
def test_rejected_input_raises_parse_error_with_location(text: str, line: int, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(text, path="Dockerfile")
    err = info.value
    assert err.line == line
    assert message in err.message
    assert str(err).startswith(f"Dockerfile:{line}:{err.column}: ")
    assert err.source == text.split("\n")[line - 1]


def test_non_strict_parsing_accepts_what_only_the_instruction_layer_rejects() -> None:
    df = parse("FORM ubuntu\nCOPY onlyone\n", strict=False)
    assert [i.keyword for i in df.instructions] == ["FORM", "COPY"]


def test_parse_error_is_a_value_error_and_pickles() -> None:
    import pickle

    try:
        parse("FROM a\nCMD [1]\n")
    except ValueError as e:
        again = pickle.loads(pickle.dumps(e))
        assert isinstance(again, ParseError) and again.line == 2
    else:  # pragma: no cover
        pytest.fail("no error")


def test_parse_takes_text_not_bytes() -> None:
    with pytest.raises(TypeError):
        parse(b"FROM a\n")  # type: ignore[arg-type]


def test_public_names() -> None:
    assert refactor.parse is parse
    assert issubclass(refactor.ParseError, ValueError)
    assert refactor.Dockerfile.__name__ == "Dockerfile"


@pytest.mark.parametrize(
    "text, line, column, message",
    [
        ("FROM a\nCOPY --chown=1 \\\n     --bogus=2 a b\n", 3, 6, "unknown flag: --bogus"),
        ("FROM a\nRUN --mount=type=bogus,target=/x echo\n", 2, 18, 'unsupported mount type "bogus"'),
        ("FROM a\nRUN --mount=type=cache,sharing=nope,target=/x echo\n", 2, 32, 'unsupported sharing value "nope"'),
        ("FROM a\nHEALTHCHECK --interval=xx CMD true\n", 2, 24, 'time: invalid duration "xx"'),
        ("FROM a\nHEALTHCHECK --timeout=10us CMD true\n", 2, 23, 'Interval "timeout" cannot be less than 1ms'),
        ("FROM a\nHEALTHCHECK --retries=-1 CMD true\n", 2, 23, "--retries cannot be negative (-1)"),
        ("RUN echo\nFROM a\n", 1, 1, "no build stage in current context"),
        ("FROM a AS 9lives\n", 1, 11, "invalid name for build stage"),
    ],
)
def test_errors_point_at_what_is_wrong(text: str, line: int, column: int, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(text)
    assert (info.value.line, info.value.column) == (line, column)
    assert message in info.value.message


def test_valid_healthcheck_durations_and_mounts_pass() -> None:
    parse("FROM a\nHEALTHCHECK --interval=1m30s --timeout=0.5s --start-period=0 --retries=3 CMD true\n"
          "RUN --mount=type=secret,id=npm,required --mount=type=cache,target=/c,sharing=locked,ro true\n")
