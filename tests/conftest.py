import sys
from pathlib import Path

# tests import the judge helpers as a plain module
sys.path.insert(0, str(Path(__file__).resolve().parent))


import os  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def lab():
    """The stand-in base images and the store Buildah and Podman share (tests/standins.py),
    built once; without root or the tools the tests that need it skip, unless
    REFACTOR_REQUIRE_BUILDS=1 (set by .ci/run) makes that a failure."""
    import standins

    why = standins.available()
    if why:
        if os.environ.get("REFACTOR_REQUIRE_BUILDS"):
            pytest.fail(f"REFACTOR_REQUIRE_BUILDS is set but {why}")
        pytest.skip(why)
    lab = standins.Lab()
    took = lab.ensure()
    if took:
        print(f"\nstand-ins built in {sum(took.values()):.0f} s")
    return lab
