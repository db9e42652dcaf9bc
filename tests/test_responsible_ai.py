"""Option responsible_ai: the local report and gate, the Azure ML dashboard step, the human review; off = no trace.

The report itself is produced by each baked project's own tests (tests/test_common_responsible_ai.py, and the
local loop's slow test), which every bake in tests/test_template_bakes.py runs; here: what a bake contains.
"""

from __future__ import annotations

import re

import yaml

TRACE = re.compile(r"responsible[ _-]ai|rai_review|rai_tabular|rai_mode|RAI_REVIEW", re.IGNORECASE)


def _text_files(root):
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix not in {".csv", ".parquet", ".png", ".jpg"}:
            yield path, path.read_text(encoding="utf-8", errors="replace")


def test_option_off_leaves_no_file_dependency_or_ci_step(baked):
    project = baked(responsible_ai=False, ci_platform="azure_devops")
    traces = [
        f"{path.relative_to(project)}: {match.group(0)}"
        for path, text in _text_files(project)
        for match in [TRACE.search(text) or TRACE.search(path.name)]
        if match
    ]
    assert traces == []
    config = yaml.safe_load((project / "config" / "prod.yml").read_text(encoding="utf-8"))
    assert "responsible_ai" not in config


def test_tabular_on_azure_devops_has_report_gate_dashboard_and_review(baked):
    project = baked(ci_platform="azure_devops")
    package = project / "src" / "my_mlops_project"
    for relative in ("common/responsible_ai.py", "tabular/responsible_ai.py", "tabular/rai_tables.py"):
        assert (package / relative).is_file(), relative
    assert (project / "docs" / "responsible-ai.md").is_file()
    # Modes per environment: dev reports only, prod blocks.
    modes = {
        env: yaml.safe_load((project / "config" / f"{env}.yml").read_text(encoding="utf-8"))["responsible_ai"]["mode"]
        for env in ("dev", "prod")
    }
    assert modes == {"dev": "dry_run", "prod": "enabled"}
    # The data contract declares the sensitive feature the report groups by.
    contract = yaml.safe_load((package / "tabular" / "contract.yml").read_text(encoding="utf-8"))
    assert [f["name"] for f in contract["sensitive_features"]] == ["age"]
    # The Azure ML pipeline: the dashboard examines the registered model (register's model_info output).
    jobs = yaml.safe_load((project / "mlops/azureml/train/pipeline.yml").read_text(encoding="utf-8"))["jobs"]
    assert jobs["rai_insights"]["inputs"]["model_info_path"] == "${{parent.jobs.register.outputs.model_info}}"
    assert "rai_mode" in jobs["evaluate"]["inputs"]
    # CI applies config/<env>.yml's gate to the evaluate step.
    assert "jobs.evaluate.inputs.rai_$key" in (project / "ci/train.sh").read_text(encoding="utf-8")
    # Azure DevOps: the promote stage uploads the link to the run summary (##vso[task.uploadsummary], Microsoft Learn
    # "Logging commands"), the prod approval's instructions point at it, and prod records the review on the model.
    review = (project / "ci/rai_review.sh").read_text(encoding="utf-8")
    assert "##vso[task.uploadsummary]" in review and "tags.rai_review=approved" in review
    assert 'rai_review.sh" link' in (project / "ci/promote.sh").read_text(encoding="utf-8")
    assert "REVIEW_INSTRUCTIONS" in (project / "ci/bootstrap.py").read_text(encoding="utf-8")
    stages = yaml.safe_load((project / ".azuredevops/pipelines/promote.yml").read_text(encoding="utf-8"))["stages"]
    [prod] = [stage for stage in stages if stage["stage"] == "prod"]
    assert prod["jobs"][0]["parameters"]["recordReview"] == "true"


def test_nlp_on_github_links_the_review_on_the_prod_environment(baked):
    project = baked(ml_scenario="nlp")
    assert (project / "src/my_mlops_project/nlp/responsible_ai.py").is_file()
    # No vision/text RAI component is published any more (Azure/azureml-assets#4376): no dashboard step, no tables.
    jobs = yaml.safe_load((project / "mlops/azureml/train/pipeline.yml").read_text(encoding="utf-8"))["jobs"]
    assert not any(name.startswith("rai_") for name in jobs)
    assert not (project / "mlops/azureml/components/rai_tables.yml").exists()
    component = yaml.safe_load((project / "mlops/azureml/components/evaluate.yml").read_text(encoding="utf-8"))
    assert component["inputs"]["rai_mode"]["enum"] == ["disabled", "dry_run", "enabled"]
    # GitHub: a job's `environment` may be {name, url}; the url is shown on the deployment (docs.github.com,
    # "Workflow syntax for GitHub Actions", jobs.<job_id>.environment). The promotion computes it as an output.
    deploy = yaml.safe_load((project / ".github/workflows/_deploy.yml").read_text(encoding="utf-8"))
    assert deploy["jobs"]["deploy"]["environment"] == {
        "name": "${{ inputs.environment }}",
        "url": "${{ inputs.review_url }}",
    }
    promote = yaml.safe_load((project / ".github/workflows/promote.yml").read_text(encoding="utf-8"))
    assert promote["jobs"]["deploy-prod"]["with"]["review_url"] == "${{ needs.promote.outputs.review_url }}"
    assert "GITHUB_STEP_SUMMARY" in (project / "ci/rai_review.sh").read_text(encoding="utf-8")
