"""The house keeps its shape: the import contracts in pyproject.toml hold, and they would catch a breach.

The contracts (`[tool.importlinter]`, drawn in docs/architecture.md) are checked by import-linter,
as `lint-imports` does from the repository's root; the same check runs here over a copy of the
package with one forbidden import added, to show that each contract bites.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "pyproject.toml"
CONTRACTS = {c["id"]: c["name"] for c in tomllib.loads(CONFIG.read_text())["tool"]["importlinter"]["contracts"]}


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    """import-linter over the `refactor` package found in `cwd` (it puts `cwd` first on the path)."""
    code = ("import sys; from importlinter.cli import lint_imports; "
            "sys.exit(lint_imports(config_filename=sys.argv[1], no_cache=True, no_logo=True))")
    return subprocess.run([sys.executable, "-c", code, str(CONFIG)], cwd=cwd, capture_output=True, text=True, timeout=120)


def broken(output: str) -> set[str]:
    return {cid for cid, name in CONTRACTS.items() if f"{name} BROKEN" in " ".join(output.split())}


def test_the_package_keeps_every_import_contract() -> None:
    run = lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert broken(run.stdout) == set()
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in run.stdout


# (file in the copy, text appended to it, the contracts it must break, what the report names);
# an import that reaches up also closes a circle, since the layer above already imports the one below
BREACHES = {
    "model_imports_the_engine": ("model/_reaches_up.py", "from ..engine import engine\n", {"layers", "model", "acyclic"},
                                 "refactor.model._reaches_up -> refactor.engine.engine"),
    "edit_api_imports_the_model": ("syntax/edits.py", "\nfrom ..model import Model\n", {"layers", "edits", "acyclic"},
                                   "refactor.syntax.edits -> refactor.model"),
    "rule_imports_the_runner": ("rules/hygiene/_reaches_up.py", "from ...runner import Request\n", {"layers", "acyclic"},
                                "refactor.rules.hygiene._reaches_up -> refactor.runner"),
    "server_borrows_from_the_command": ("lsp.py", "\nfrom .cli import main as _cli_main\n", {"layers", "acyclic"},
                                        "refactor.lsp -> refactor.cli"),
    "two_syntax_modules_import_each_other": ("syntax/tree.py", "\nfrom . import parser as _parser\n", {"acyclic"},
                                             "- .tree -> .parser"),
    "a_module_outside_every_layer": ("newroom.py", "", {"layers"}, "refactor.newroom"),
}


@pytest.mark.parametrize("case", sorted(BREACHES))
def test_a_forbidden_import_breaks_the_contract(tmp_path: Path, case: str) -> None:
    relpath, text, contracts, named = BREACHES[case]
    shutil.copytree(ROOT / "refactor", tmp_path / "refactor", ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / "refactor" / relpath
    with target.open("a", encoding="utf-8") as f:
        f.write(text)
    run = lint_imports(tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert broken(run.stdout) == contracts, run.stdout
    assert named in run.stdout, run.stdout
