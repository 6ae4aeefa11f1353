"""README.md shows the real output of the commands it runs: `refactor --diff` on the bundled
example, and the summary of the bulk migration of a copy of `corpus/rules`.

Regenerate after a change of behaviour (or of corpus/rules): `python tests/test_readme.py --update`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
COMMAND = ["--diff", "corpus/examples/python-flask/Dockerfile"]
BLOCK = re.compile(r"(<!-- example:begin -->\n```console\n)(.*?)(```\n<!-- example:end -->)", re.S)


def real_output() -> str:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("FORCE_COLOR", None)
    out = subprocess.run([sys.executable, "-m", "refactor", *COMMAND], cwd=ROOT, capture_output=True, text=True, env=env)
    return f"$ refactor {' '.join(COMMAND)}\n{out.stdout}{out.stderr}"


BULK_COMMAND = "cp -r corpus/rules /tmp/demo && refactor --write -j 2 /tmp/demo > /dev/null"
BULK_BLOCK = re.compile(r"(```console\n)(\$ " + re.escape(BULK_COMMAND) + r"\n.*?)(```\n)", re.S)


def real_bulk_output() -> str:
    """What the bulk example prints (the summary on stderr), run on a fresh copy as the README says."""
    import shutil
    import tempfile

    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("FORCE_COLOR", None)
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo"
        shutil.copytree(ROOT / "corpus" / "rules", demo)
        out = subprocess.run([sys.executable, "-m", "refactor", "--write", "-j", "2", str(demo)], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    return f"$ {BULK_COMMAND}\n{out.stderr}"


def update(text: str) -> str:
    text = BLOCK.sub(lambda m: m.group(1) + real_output() + m.group(3), text)
    return BULK_BLOCK.sub(lambda m: m.group(1) + real_bulk_output() + m.group(3), text)


def test_readme_example_is_the_real_output() -> None:
    m = BLOCK.search(README.read_text(encoding="utf-8"))
    assert m, "README.md has no example block"
    assert m.group(2) == real_output(), "README example is stale: python tests/test_readme.py --update"


def test_readme_bulk_example_is_the_real_output() -> None:
    m = BULK_BLOCK.search(README.read_text(encoding="utf-8"))
    assert m, f"README.md has no console block starting with `$ {BULK_COMMAND}`"
    assert m.group(2) == real_bulk_output(), "README bulk example is stale: python tests/test_readme.py --update"


def test_readme_opens_with_exactly_two_setup_commands() -> None:
    text = README.read_text(encoding="utf-8")
    first = re.search(r"```sh\n(.*?)```", text, re.S)
    assert first and len(first.group(1).strip().splitlines()) == 2
    assert "corpus/" in first.group(1).splitlines()[0]
    assert "pytest" in first.group(1).splitlines()[1]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "pip install --quiet -e '.[test]'" in ci and "python -m pytest" in ci


if __name__ == "__main__" and "--update" in sys.argv:
    README.write_text(update(README.read_text(encoding="utf-8")), encoding="utf-8")
    print("README examples updated")
