"""Feature store: the spec drives the local retrieval, which is point in time and agrees with azureml-featurestore."""

import dataclasses
import importlib.util
import shutil

import pandas as pd
import pytest
import yaml

from {{ cookiecutter.package_name }}.config import PROJECT_ROOT
from {{ cookiecutter.package_name }}.tabular import feature_store, history

from test_tabular_contract import SHIPPED, SHIPPED_HISTORY
from test_tabular_history import EVENTS, applications

FEATURESTORE = PROJECT_ROOT / "featurestore"


def test_spec_and_local_transformation_describe_the_same_features():
    spec = feature_store.load_spec()
    feature_store.check_spec(spec)
    assert spec.temporal_join_lookback_days == history.LOOKBACK_DAYS
    module, cls = spec.transformer_class.split(".")
    code = (feature_store.SPEC.parent / "transformation_code" / f"{module}.py").read_text()
    assert f"class {cls}(Transformer)" in code and f"WINDOW_DAYS = {history.WINDOW_DAYS}" in code
    with pytest.raises(ValueError, match="features"):
        feature_store.check_spec(dataclasses.replace(spec, features={"history_payments_90d": "long"}))


def test_feature_set_and_entity_load_as_azure_ml_assets():
    # azure-ai-ml's own loaders (the [azure] extra): what az ml feature-set / feature-store-entity create read.
    from azure.ai.ml import load_feature_set, load_feature_store_entity

    entity = load_feature_store_entity(FEATURESTORE / "entities" / "applicant.yml")
    assert [column.name for column in entity.index_columns] == [history.ENTITY]
    feature_set = load_feature_set(FEATURESTORE / "featuresets" / "payment_history" / "featureset.yml")
    assert feature_set.entities == [f"azureml:{entity.name}:{entity.version}"]
    assert feature_set.materialization_settings.offline_enabled
    assert feature_set.materialization_settings.schedule is not None  # materialized on a schedule


def test_retrieval_is_point_in_time_with_the_spec_lookback():
    spec = feature_store.load_spec()
    out = feature_store.get_offline_features(applications(45, 59, 60), EVENTS, spec=spec)
    assert out["history_payments_90d"].tolist() == [2, 2, 3]  # the day-60 repayment only from day 60 on
    # The spec's temporal_join_lookback decides how old a value may be: shorter, and day 59 finds none.
    short = dataclasses.replace(spec, temporal_join_lookback_days=20)
    out = feature_store.get_offline_features(applications(45, 59), EVENTS, spec=short)
    assert out["history_payments_90d"].tolist() == [2, history.DEFAULTS["history_payments_90d"]]


@pytest.mark.skipif(
    not (importlib.util.find_spec("pyspark") and importlib.util.find_spec("azureml.featurestore")),
    reason="azureml-featurestore and pyspark are not installed (a separate environment: featurestore/requirements.txt)",
)
def test_azureml_featurestore_computes_the_same_values(tmp_path):
    """The real get_offline_features on the spec (its Spark transformer, its point-in-time join) on a small sample."""
    from azureml.featurestore import FeatureSetSpec, get_offline_features
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    spark = SparkSession.builder.master("local[1]").config("spark.sql.session.timeZone", "UTC").getOrCreate()
    spec_dir = shutil.copytree(feature_store.SPEC.parent, tmp_path / "spec")
    spec = FeatureSetSpec.from_config(str(spec_dir))  # the spec as committed (its source is a cloud URI)
    sample = pd.read_csv(SHIPPED, dtype=str, keep_default_na=False).head(60)
    repayments = pd.read_csv(SHIPPED_HISTORY, dtype=str)
    repayments = repayments[repayments["applicant_id"].isin(sample["applicant_id"])]
    local_source = tmp_path / "payment_history.csv"
    repayments.to_csv(local_source, index=False)
    spec.source.path = str(local_source)  # read the sample instead of the cloud source
    observations = spark.createDataFrame(sample[["application_id", "applicant_id", "application_timestamp"]])
    observations = observations.withColumn("application_timestamp", F.to_timestamp("application_timestamp"))
    # azureml-featurestore 1.2.2 (_offline_query/point_at_time.py) keys each observation by the feature set's index
    # columns and a column named like its timestamp column: observations carry that column too.
    observations = observations.withColumn(history.EVENT_TIMESTAMP, F.col("application_timestamp"))
    features = [spec.get_feature(name) for name in history.FEATURES]
    azure = get_offline_features(
        features=features, observation_data=observations, timestamp_column="application_timestamp",
        use_materialized_data=False,
    ).toPandas()  # fmt: skip
    azure = azure.set_index("application_id").sort_index()[history.FEATURES].fillna(pd.Series(history.DEFAULTS))
    ours = history.with_history(sample, repayments).set_index("application_id").sort_index()[history.FEATURES]
    assert azure.astype(float).to_numpy() == pytest.approx(ours.astype(float).to_numpy(), abs=1e-6)
    assert (azure["history_payments_90d"] > 0).sum() > 5  # the sample holds applicants with history


def test_azure_ml_prep_gets_the_spec_folder_as_an_input():
    # An Azure ML job holds only src/ (the components' code): the spec travels as a pipeline input.
    pipeline = yaml.safe_load((PROJECT_ROOT / "mlops/azureml/train/pipeline.yml").read_text())
    spec = (PROJECT_ROOT / "mlops/azureml/train" / pipeline["inputs"]["feature_set_spec"]["path"]).resolve()
    assert spec == feature_store.SPEC.parent.resolve()
    assert pipeline["jobs"]["prep"]["inputs"]["feature_set_spec"] == "${" + "{parent.inputs.feature_set_spec}}"
    component = yaml.safe_load((PROJECT_ROOT / "mlops/azureml/components/prep.yml").read_text())
    assert "--feature-set-spec ${" + "{inputs.feature_set_spec}}" in component["command"]


def test_loop_config_reads_the_spec_the_feature_store_registers():
    asset = yaml.safe_load((FEATURESTORE / "featuresets" / "payment_history" / "featureset.yml").read_text())
    assert (FEATURESTORE / "featuresets" / "payment_history" / asset["specification"]["path"]).resolve() == (
        feature_store.SPEC.parent.resolve()
    )


def test_prep_on_the_retrieval_output_trains_on_the_same_rows_as_the_local_loop(tmp_path):
    # Azure ML: observations -> feature_retrieval (output_data/data/*.parquet) -> prep --retrieved. The store's
    # output is stood in for by the local join on the observations, with no value where none was in reach (Spark
    # writes null; prep fills history.DEFAULTS as the local join does).
    from {{ cookiecutter.package_name }}.common import artifacts
    from {{ cookiecutter.package_name }}.tabular import prep

    sample = tmp_path / "applications.csv"
    pd.read_csv(SHIPPED, dtype=str, keep_default_na=False).head(80).to_csv(sample, index=False)
    assert feature_store.main(["--observations", str(sample), "--output", str(tmp_path / "obs")]) == 0
    observations = pd.read_parquet(tmp_path / "obs" / feature_store.OBSERVATIONS_FILE)
    assert str(observations[history.EVENT_TIMESTAMP].dtype).startswith("datetime64")
    repayments, _ = history.read_history(SHIPPED_HISTORY)
    retrieved = feature_store.get_offline_features(observations.drop(columns=[history.EVENT_TIMESTAMP]), repayments)
    retrieved[history.EVENT_TIMESTAMP] = observations[history.EVENT_TIMESTAMP]
    none_in_reach = retrieved["history_payments_90d"] == 0
    retrieved.loc[none_in_reach, history.FEATURES] = None
    (tmp_path / "out" / feature_store.RETRIEVED_DATA).mkdir(parents=True)
    retrieved.to_parquet(tmp_path / "out" / feature_store.RETRIEVED_DATA / "part-0.parquet", index=False)

    local = prep.prep(sample, tmp_path / "local")
    azure = prep.prep(sample, tmp_path / "azure", retrieved=tmp_path / "out")
    assert azure["split_rows"] == local["split_rows"] and azure["rows_valid"] == local["rows_valid"] > 0
    for name in artifacts.SPLITS:
        ours = pd.read_csv(artifacts.split_path(tmp_path / "local", name))
        theirs = pd.read_csv(artifacts.split_path(tmp_path / "azure", name))
        pd.testing.assert_frame_equal(ours, theirs[ours.columns])


def test_azure_ml_prep_reads_the_feature_retrieval_output():
    pipeline = yaml.safe_load((PROJECT_ROOT / "mlops/azureml/train/pipeline.yml").read_text())
    retrieval_output = "${" + "{parent.jobs.feature_retrieval.outputs.output_data}}"
    assert pipeline["jobs"]["prep"]["inputs"]["retrieved"] == retrieval_output
    component = yaml.safe_load((PROJECT_ROOT / "mlops/azureml/components/prep.yml").read_text())
    assert "--retrieved ${" + "{inputs.retrieved}}" in component["command"]
