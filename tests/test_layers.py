"""The floors of docs/architecture.md are kept by import-linter (`make lint`): the project
keeps every contract, and one import that breaks a contract fails the lint.

The failing cases run the project's own contracts (`[tool.importlinter]` in pyproject.toml)
over a tiny tree of empty packages named like ours, with one offending import each, so the
test shows what a contributor would see without copying or touching the code.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def contract_modules() -> set[str]:
    """Every module the contracts name (optional layers, in parentheses, left out)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"]
    names: set[str] = set(config["root_packages"])
    for contract in config["contracts"]:
        for layer in contract.get("layers", []):
            names.update(n.strip() for n in re.split(r"[|:]", layer) if "(" not in n)
        for key in ("source_modules", "ancestors"):
            names.update(contract.get(key, []))
    return {name for name in names if name.split(".")[0] in config["root_packages"]}


def fake_tree(tmp_path: Path, offender: str, source: str) -> Path:
    """Empty packages for every module the contracts name, plus `offender` with `source`."""
    for name in contract_modules() | {offender}:
        package = tmp_path.joinpath(*name.split("."))
        package.mkdir(parents=True, exist_ok=True)
        for parent in [package, *package.relative_to(tmp_path).parents]:
            init = tmp_path / parent / "__init__.py"
            if parent != Path(".") and not init.exists():
                init.write_text("")
    module = tmp_path.joinpath(*offender.split(".")) / "__init__.py"
    module.write_text(source)
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text("utf-8"))
    return tmp_path


def test_the_project_keeps_its_contracts() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("offender", "source", "broken"),
    [
        # the outbox table once lived in the delivery engine, above the services writing it
        (
            "bot.services.outbox",
            "import bot.delivery\n",
            "bot.services is not allowed to import bot.delivery",
        ),
        ("bot.services.seats", "import telegram\n", "services is not allowed to import telegram"),
        ("handlers.agenda", "import sqlalchemy\n", "handlers is not allowed to import sqlalchemy"),
        ("bot.domain.agenda", "import bot.clock\n", "domain is not allowed to import bot.clock"),
        (
            "bot.presentation.organizers",
            "import bot.services\n",
            "bot.presentation is not allowed to import bot.services",
        ),
        ("bot.importers.base", "import bot.importers.csv_format\n", "No cycles are allowed"),
    ],
)
def test_an_import_that_breaks_a_contract_fails_the_lint(
    tmp_path: Path, offender: str, source: str, broken: str
) -> None:
    if offender == "bot.importers.base":  # a circle needs its other half
        fake_tree(tmp_path, "bot.importers.csv_format", "import bot.importers.base\n")
    result = lint_imports(fake_tree(tmp_path, offender, source))
    assert result.returncode != 0
    assert broken in result.stdout, result.stdout + result.stderr
