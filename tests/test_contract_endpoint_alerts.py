"""The endpoint's alerts in both IaC kinds: what the Bicep contract reads, and that both declare the same alerts.

Microsoft.Insights/metricAlerts' criteria are a discriminated object whose discriminator has a dot
(`odata.type`, Azure/bicep-types-az generated/monitor_1/microsoft.insights/2018-03-01/types.md), written quoted
in Bicep; the contract once looked the discriminator up by its raw key, missed it, and checked the criteria
against every variant (required webTestId, componentId...).
"""

from __future__ import annotations

import shutil

from contracts import bicep_resources
from validators import run_validators

CONTRACT = bicep_resources.CONTRACTS[0]
ALERTS = "infrastructure/bicep/modules/alerts.bicep"


def test_a_quoted_discriminator_selects_its_variant(baked, tmp_path):
    root = tmp_path / "bake"
    shutil.copytree(baked(infrastructure="bicep"), root)
    assert run_validators(root, (CONTRACT,))[CONTRACT.name] == []
    path = root / ALERTS
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("SingleResourceMultipleMetricCriteria", "SingleResourceMetricCriteria"), "utf-8")
    found = run_validators(root, (CONTRACT,))[CONTRACT.name]
    assert any("'Microsoft.Azure.Monitor.SingleResourceMetricCriteria' is not one of" in p for p in found), found


def test_both_kinds_alert_on_latency_and_error_rate_to_the_alert_email(baked):
    terraform = (baked() / "infrastructure/terraform/alerts.tf").read_text(encoding="utf-8")
    bicep = (baked(infrastructure="bicep") / ALERTS).read_text(encoding="utf-8")
    main = (baked(infrastructure="bicep") / "infrastructure/bicep/main.bicep").read_text(encoding="utf-8")
    for text in (terraform, bicep):
        assert "requests/duration" in text and '"scoring_requests"' in text and "server_error" in text
    assert 'default     = "mlops-alerts@example.com"' in terraform
    assert "param alertEmail string = 'mlops-alerts@example.com'" in main
    # Batch deployments serve no requests: no request alerts.
    assert not (baked(deployment_mode="batch") / "infrastructure/terraform/alerts.tf").exists()
