"""Private networking: the environments' private endpoints register in ONE set of private DNS zones.

CI stages cross environments (promotion reads the dev workspace and writes the prod registry) and one runner
network serves them. Its names resolve through the `privatelink.*` zones linked to it, and a virtual network
can be linked to only one private DNS zone of a given name (Microsoft Learn, "What is a virtual network
link?": a zone name can be linked once per virtual network). When each environment's code creates its own
`privatelink.api.azureml.ms`, a runner resolves one environment's workspace and never the other's: issue 12,
defect 8. The rule: environment code reads the shared hub's zones (`data` source, `existing`, or a
`resourceId(...)` reference) and never declares a zone of its own.
"""

from __future__ import annotations

import re
from pathlib import Path

from contracts import Contract

_TERRAFORM_ZONE = re.compile(r'^\s*resource\s+"azurerm_private_dns_zone"\s+"(\w+)"', re.M)
# `resource x '...' existing = {` reads a zone; only a declaration without `existing` creates one.
_BICEP_ZONE = re.compile(r"^\s*resource\s+(\w+)\s+'Microsoft\.Network/privateDnsZones@[^']+'\s*=", re.M)


def check(root: Path, files: list[str]) -> list[str]:
    problems = []
    for relative in files:
        text = (root / relative).read_text(encoding="utf-8")
        found = [(m.group(1), m.start()) for pattern in (_TERRAFORM_ZONE, _BICEP_ZONE) for m in pattern.finditer(text)]
        for name, offset in found:
            line = text.count("\n", 0, offset) + 1
            problems.append(
                f"{relative}:{line}: declares its own private DNS zone ({name}); a runner network can link only "
                "one zone of a name, so the other environment's names would not resolve: use the hub's zones"
            )
    return problems


_ZONE = "privatelink.api.azureml.ms"
_OWN_ZONE_TF = f'resource "azurerm_private_dns_zone" "main" {{\n  name = "{_ZONE}"\n}}\n'
_HUB_ZONE_TF = f'data "azurerm_private_dns_zone" "main" {{\n  name = "{_ZONE}"\n}}\n'
_OWN_ZONE_BICEP = f"resource zone 'Microsoft.Network/privateDnsZones@2024-06-01' = {{\n  name: '{_ZONE}'\n}}\n"
_HUB_ZONE_BICEP = _OWN_ZONE_BICEP.replace("' = {", "' existing = {")
_TF, _BICEP = "infrastructure/terraform/network.tf", "infrastructure/bicep/network.bicep"

CONTRACTS = (
    Contract(
        name="private DNS zones are the shared hub's",
        patterns=("infrastructure/terraform/*.tf", "infrastructure/bicep/*.bicep"),
        check=check,
        source="Microsoft Learn, What is a virtual network link? (one zone of a name per virtual network)",
        broken={
            "infrastructure/terraform/network.tf": _OWN_ZONE_TF,
            "infrastructure/bicep/network.bicep": _OWN_ZONE_BICEP,
        },
        valid={
            "infrastructure/terraform/network.tf": _HUB_ZONE_TF,
            "infrastructure/bicep/network.bicep": _HUB_ZONE_BICEP,
        },
    ),
)
