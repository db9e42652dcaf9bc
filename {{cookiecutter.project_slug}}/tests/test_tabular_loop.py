"""The local loop end to end on the shipped data: first run registers, second compares and keeps."""

{% if cookiecutter.responsible_ai -%}
import re

{% endif -%}
import pytest
{%- if cookiecutter.responsible_ai %}
from mlflow.tracking import MlflowClient
{%- endif %}

from {{ cookiecutter.package_name }}.common import loop


@pytest.mark.slow
def test_loop_twice_registers_then_compares_with_the_champion(mlflow_store, tmp_path, capsys):
    assert loop.main(["--outputs", str(tmp_path / "outputs"), "--max-iter", "60"]) == 0
    first = capsys.readouterr().out
    assert "verdict:       promote" in first
    assert "registered:    credit-default version 1" in first
    assert "model URI:     models:/credit-default@champion" in first
{%- if cookiecutter.responsible_ai %}
    # config/dev.yml runs the Responsible AI gate as a dry run: the report is written and logged with the model.
    assert "responsible AI: " in first and "(mode dry_run)" in first
    [report] = (tmp_path / "outputs").glob("*/decision/responsible_ai/report.md")
    assert "age_band" in report.read_text(encoding="utf-8") and report.with_suffix(".json").is_file()
    [run_id] = re.findall(r"run id: +(\w+)", first)  # the training run: the registered version's run
    assert {a.path for a in MlflowClient().list_artifacts(run_id, "responsible_ai")} >= {
        "responsible_ai/report.md",
        "responsible_ai/report.json",
    }
{%- endif %}

    assert loop.main(["--outputs", str(tmp_path / "outputs"), "--max-iter", "60"]) == 0
    second = capsys.readouterr().out
    assert "champion:      version 1" in second
    assert "verdict:       reject" in second  # same data, same seed: no better than the champion
    assert "registered:    nothing (the champion is kept)" in second
    assert len(list((tmp_path / "outputs").iterdir())) == 2


def test_unknown_scenario_is_a_clear_error():
    with pytest.raises(SystemExit, match="scenario 'audio'"):
        loop.scenario_module("audio")
