"""Azure naming rules, and the resource names a project's inputs end up in.

The rules are the ones Azure enforces at deployment time; checking them at bake time turns a
failed deployment an hour later into a one-line message now. The same formats are used by the
Jinja templates (through ``jinja_extension``), so what is validated is what is generated.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class NameRule:
    pattern: str  # JSON Schema / Python regex the whole name must match
    min_length: int
    max_length: int
    rule: str  # the rule in words, for error messages
    name_format: str  # how the name is built from prefix, environment and suffix


# Global names (storage, key vault, registry) must be unique across all of Azure; endpoint names
# across a region. The suffix is what keeps two projects with the same prefix apart.
RULES: dict[str, NameRule] = {
    "resource_group": NameRule(
        r"^[-\w.()]*[-\w()]$",
        1,
        90,
        "1-90 letters, digits, '-', '_', '.', '()'; not ending in '.'",
        "rg-{prefix}-{env}",
    ),
    "storage_account": NameRule(r"^[a-z0-9]+$", 3, 24, "3-24 lowercase letters and digits", "st{prefix}{env}{suffix}"),
    "key_vault": NameRule(
        r"^[a-zA-Z](?!.*--)[a-zA-Z0-9-]*[a-zA-Z0-9]$",
        3,
        24,
        "3-24 letters, digits and single hyphens, starting with a letter, not ending with a hyphen",
        "kv-{prefix}-{env}-{suffix}",
    ),
    "container_registry": NameRule(r"^[a-zA-Z0-9]+$", 5, 50, "5-50 letters and digits", "cr{prefix}{env}{suffix}"),
    "workspace": NameRule(
        r"^[a-zA-Z0-9][a-zA-Z0-9_-]*$",
        3,
        33,
        "3-33 letters, digits, '-' and '_', starting with a letter or digit",
        "mlw-{prefix}-{env}",
    ),
    "ml_registry": NameRule(
        r"^[a-zA-Z0-9][a-zA-Z0-9_-]*$",
        3,
        33,
        "3-33 letters, digits, '-' and '_', starting with a letter or digit",
        "mlr-{prefix}-{suffix}",
    ),
    "log_analytics": NameRule(
        r"^[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]$", 4, 63, "4-63 letters, digits and hyphens", "log-{prefix}-{env}"
    ),
    "application_insights": NameRule(
        r"^[-\w.()]*[-\w()]$", 1, 255, "1-255 letters, digits, '-', '_', '.', '()'", "appi-{prefix}-{env}"
    ),
    # Azure Data Explorer (observability_store=adx): the cluster name is part of its URI,
    # <name>.<region>.kusto.windows.net (Microsoft Learn, "Naming rules and restrictions for Azure resources",
    # Microsoft.Kusto clusters: 4-22 lowercase letters and numbers, starting with a letter).
    "adx_cluster": NameRule(
        r"^[a-z][a-z0-9]*$",
        4,
        22,
        "4-22 lowercase letters and digits, starting with a letter",
        "adx{prefix}{env}{suffix}",
    ),
    "virtual_network": NameRule(
        r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*[a-zA-Z0-9_]$",
        2,
        64,
        "2-64 letters, digits, '_', '.', '-', starting with a letter or digit",
        "vnet-{prefix}-hub",  # one hub shared by dev and prod (secure_workspace; ci/bootstrap.py creates it)
    ),
    # Created by ci/bootstrap.py, outside the environments' groups: the CI identities and the hub network.
    "ci_resource_group": NameRule(
        r"^[-\w.()]*[-\w()]$",
        1,
        90,
        "1-90 letters, digits, '-', '_', '.', '()'; not ending in '.'",
        "rg-{prefix}-ci",
    ),
    "network_resource_group": NameRule(
        r"^[-\w.()]*[-\w()]$",
        1,
        90,
        "1-90 letters, digits, '-', '_', '.', '()'; not ending in '.'",
        "rg-{prefix}-network",
    ),
    "managed_identity": NameRule(
        r"^[a-zA-Z0-9][a-zA-Z0-9_-]*$",
        3,
        128,
        "3-128 letters, digits, '-' and '_', starting with a letter or digit",
        "id-{prefix}-{env}-ci",
    ),
    # Terraform's remote state lives outside the environment's resource group (ci/bootstrap.py creates it).
    "state_resource_group": NameRule(
        r"^[-\w.()]*[-\w()]$",
        1,
        90,
        "1-90 letters, digits, '-', '_', '.', '()'; not ending in '.'",
        "rg-{prefix}-{env}-tfstate",
    ),
    "state_storage_account": NameRule(
        r"^[a-z0-9]+$", 3, 24, "3-24 lowercase letters and digits", "st{prefix}{env}tf{suffix}"
    ),
    "online_endpoint": NameRule(
        r"^[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]$",
        3,
        32,
        "3-32 letters, digits and hyphens, starting with a letter, unique in the Azure region",
        "ep-{prefix}-{env}-{suffix}",
    ),
    "batch_endpoint": NameRule(
        r"^[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]$",
        3,
        32,
        "3-32 letters, digits and hyphens, starting with a letter, unique in the Azure region",
        "bep-{prefix}-{env}-{suffix}",
    ),
}

# Programmatic names of public Azure regions with Azure Machine Learning.
AZURE_REGIONS: tuple[str, ...] = (
    "australiacentral", "australiaeast", "australiasoutheast", "brazilsouth", "canadacentral", "canadaeast",
    "centralindia", "centralus", "eastasia", "eastus", "eastus2", "francecentral", "germanywestcentral",
    "israelcentral", "italynorth", "japaneast", "japanwest", "koreacentral", "koreasouth", "mexicocentral",
    "northcentralus", "northeurope", "norwayeast", "polandcentral", "qatarcentral", "southafricanorth",
    "southcentralus", "southindia", "southeastasia", "spaincentral", "swedencentral", "switzerlandnorth",
    "switzerlandwest", "uaenorth", "uksouth", "ukwest", "westcentralus", "westeurope", "westus", "westus2",
    "westus3",
)  # fmt: skip


def stable_suffix(seed: str, length: int = 4) -> str:
    """A short suffix that is the same for the same seed on every machine (bakes are reproducible)."""
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()[:length]


def derived_names(resource_prefix: str, name_suffix: str, environments: list[str]) -> dict[str, str]:
    """Every Azure name the project will use, keyed ``<kind>`` or ``<kind>.<env>``."""
    names = {}
    for kind, rule in RULES.items():
        if "{env}" in rule.name_format:
            for env in environments:
                names[f"{kind}.{env}"] = rule.name_format.format(prefix=resource_prefix, env=env, suffix=name_suffix)
        else:
            names[kind] = rule.name_format.format(prefix=resource_prefix, suffix=name_suffix)
    return names


def names_for(resource_prefix: str, name_suffix: str, env: str) -> dict[str, str]:
    """The names of one environment, keyed by kind (shared resources included)."""
    return {
        kind: rule.name_format.format(prefix=resource_prefix, env=env, suffix=name_suffix)
        for kind, rule in RULES.items()
    }
