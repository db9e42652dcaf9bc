"""Two data sources: each is a registered asset, a pipeline input, and has a contract and a column list."""

import pytest
import yaml
from azure.ai.ml import load_component, load_data, load_job

from {{ cookiecutter.package_name }}.config import PROJECT_ROOT
from {{ cookiecutter.package_name }}.tabular.contract import MAIN_SOURCE, load_contract

AZUREML = PROJECT_ROOT / "mlops" / "azureml"


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_config_lists_every_data_asset_with_the_version_of_its_spec(env):
    config = yaml.safe_load((PROJECT_ROOT / "config" / f"{env}.yml").read_text())
    listed = {asset["spec"]: asset for asset in config["data_assets"]}
    specs = {path.relative_to(PROJECT_ROOT).as_posix() for path in AZUREML.glob("data*.yml")}
    assert set(listed) == specs
    pipeline = load_job(AZUREML / "train" / "pipeline.yml")
    raw_jobs = yaml.safe_load((AZUREML / "train" / "pipeline.yml").read_text())["jobs"]
    prep_inputs = load_component(AZUREML / "components" / "prep.yml").inputs
    for spec, asset in listed.items():
        data = load_data(PROJECT_ROOT / spec)
        assert (data.name, data.version) == (asset["name"], str(asset["version"]))
        # CI's training script passes the registered asset as this pipeline input; by default it reads the same file.
        assert pipeline.inputs[asset["input"]].path.endswith(str(data.path).rsplit("/", 1)[-1])
        assert raw_jobs["prep"]["inputs"][asset["input"]] == "${" + "{parent.inputs." + asset["input"] + "}}"
        assert asset["input"] in prep_inputs


def test_every_feature_names_a_declared_source_with_its_data():
    contract = load_contract()
    assert set(contract.sources) == {MAIN_SOURCE, "payment_history"}
    for source, described in contract.sources.items():
        assert (PROJECT_ROOT / described["data"]).is_file()
        assert contract.features_from(source), f"{source} provides no feature"
    assert sum(len(contract.features_from(s)) for s in contract.sources) == len(contract.features)
