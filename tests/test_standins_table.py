"""The stand-in table, without building anything: what CI builds stays the default set, and the
extras (real files' tags) are reachable by tag without growing it."""

import standins

# The tags the `builds` tests and `python tests/standins.py` (no arguments) build.
DEFAULT_FIRST_TAGS = [
    "docker.io/library/python:3.11-slim", "docker.io/library/python:3.11",
    "docker.io/library/python:3.12-slim", "docker.io/library/python:3.12",
    "docker.io/library/node:18-slim", "docker.io/library/node:18",
    "docker.io/library/gcc:13", "docker.io/library/golang:1.22", "docker.io/library/rust:1.78",
    "docker.io/library/nginx:1.28-alpine", "gcr.io/distroless/cc-debian12:nonroot",
    "gcr.io/distroless/cc-debian13:nonroot", "gcr.io/distroless/static-debian13:nonroot",
]


def test_default_set_is_unchanged():
    assert [item.tags[0] for item in standins.catalogue()] == DEFAULT_FIRST_TAGS
    tags = {t for item in standins.catalogue() for t in item.tags}
    assert "docker.io/library/python:3.9-slim" not in tags and "docker.io/library/node:lts" not in tags


def test_extras_do_not_shadow_the_default_set():
    default = [t for item in standins.catalogue() for t in item.tags]
    extra = [t for item in standins.extras() for t in item.tags]
    assert len(set(default + extra)) == len(default) + len(extra)


def test_a_tag_brings_only_what_it_is_built_from():
    items = standins.needed(["python:3.9-slim-buster"])
    assert [item.tags[0] for item in items] == ["docker.io/library/python:3.9-slim"]
    items = standins.needed(["node:lts-slim"])
    assert [item.tags[0] for item in items] == ["docker.io/library/node:18-slim", "docker.io/library/node:16-slim"]
    assert "docker.io/library/python:3" in standins.needed(["python:3"])[-1].tags


def test_every_extra_is_built_after_what_it_needs():
    order = [t for item in standins.catalogue() + standins.extras() for t in item.tags]
    for item in standins.extras():
        for need in item.needs:
            if not need.startswith("docker.io/library/debian:"):
                assert order.index(need) < order.index(item.tags[0])


def test_unknown_tag_is_refused():
    import pytest

    with pytest.raises(KeyError, match="no stand-in answers python:3-alpine"):
        standins.needed(["python:3-alpine"])
