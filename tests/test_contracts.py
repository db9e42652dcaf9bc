"""Every contract check fails on its broken example and passes its valid one; every bake passes them all."""

from __future__ import annotations

from pathlib import Path

import pytest
from contracts import CONTRACTS
from test_template_bakes import ALL_BAKES
from validators import run_validators

BY_NAME = {contract.name: contract for contract in CONTRACTS}


def _write(root: Path, files: dict[str, str]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


def test_contract_names_are_unique_and_sourced():
    assert len(BY_NAME) == len(CONTRACTS)
    for contract in CONTRACTS:
        assert contract.source, f"{contract.name}: say where its definitions come from"
        assert contract.broken and contract.valid, f"{contract.name}: needs a broken and a valid example"


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_contract_fails_on_its_broken_example(tmp_path, name):
    contract = BY_NAME[name]
    results = run_validators(_write(tmp_path, contract.broken), (contract,))
    assert results.get(name), f"{name} found nothing wrong in its broken example"


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_contract_passes_its_valid_example(tmp_path, name):
    contract = BY_NAME[name]
    results = run_validators(_write(tmp_path, contract.valid), (contract,))
    assert name in results, f"{name} matched no file of its valid example"
    assert results[name] == [], "\n".join(results[name])


@pytest.mark.parametrize("answers", ALL_BAKES)
def test_bake_keeps_every_contract(baked, answers):
    results = run_validators(baked(**answers), CONTRACTS)
    failures = {name: problems for name, problems in results.items() if problems}
    assert not failures, "\n".join(f"[{name}]\n" + "\n".join(problems) for name, problems in failures.items())
