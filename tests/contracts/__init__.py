"""Contract checks: generated files read against the real tools' own definitions, not only their schemas.

A validator (tests/validators.py) asks "is this file well formed?". A contract asks "would Azure, the Azure
CLI, GitHub or Azure DevOps accept what it means?": a CLI flag that exists, a resource property the API
version has, a job condition that lets the job run, a route Azure ML's MLflow endpoint serves. Each
contract reads a small data file extracted from the real source by a script in tests/tools/ that records
where it came from (repository or package, version or commit).

Contracts are registered like validators (file pattern -> check) and run on every bake. Each one carries a
project it must fail on (``broken``) and one it must pass (``valid``): tests/test_contracts.py runs both, so a
check that cannot fail is caught.

To add one: write a module here that defines ``CONTRACTS`` (a tuple of Contract) and add its name to MODULES.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from validators import Validator

# Modules of this package that define CONTRACTS, in the order they run.
MODULES: tuple[str, ...] = (
    "cli_calls",
    "workflow_graph",
    "azureml_semantics",
    "mlflow_azureml",
    "bicep_resources",
    "terraform_data_and_azapi",
    "ci_auth",
    "deploy_after_registration",
    "private_dns",
    "responsible_ai_step",
)


@dataclass(frozen=True)
class Contract(Validator):
    # Where the definitions come from (repository/package and version), shown in failures and the README.
    source: str = ""
    # {relative path: content} of a small project this contract must report at least one problem for.
    broken: dict[str, str] = field(default_factory=dict)
    # {relative path: content} of a small project it must pass (it must match at least one file).
    valid: dict[str, str] = field(default_factory=dict)


def all_contracts() -> tuple[Contract, ...]:
    found: list[Contract] = []
    for name in MODULES:
        found.extend(importlib.import_module(f"contracts.{name}").CONTRACTS)
    return tuple(found)


CONTRACTS: tuple[Contract, ...] = all_contracts()
