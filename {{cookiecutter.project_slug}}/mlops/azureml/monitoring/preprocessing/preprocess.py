{%- from "partials/deployment_settings.j2" import deployment_settings with context -%}
{%- set monitoring = deployment_settings.monitoring -%}
"""The batch endpoint's files of one monitoring window as one table (Azure ML model monitoring pre-processing).

ci/deploy.sh writes every batch run under a dated folder, ``<root>/YYYY/MM/DD/<run>/``: the files sent to the
endpoint under ``{{ monitoring.batch_inputs_path }}`` and the job's ``{{ deployment_settings.batch.output_file_name }}`` under
``{{ monitoring.batch_predictions_path }}``. The monitor calls this script with one of those roots and the
window's start and end; it keeps the files dated inside the window, adds the run date as a timestamp to
every row and writes them as an MLTable. The predictions file has no header (``output_action: append_row``
appends the scoring script's lines); its columns are the scoring script's (serving/errors.py BATCH_COLUMNS).
Rows the scoring script reported as errors carry no prediction and are left out.
"""

from __future__ import annotations

import argparse
from datetime import datetime

from dateutil import parser as dates
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

PREDICTIONS_FILE = "{{ deployment_settings.batch.output_file_name }}"
PREDICTION_COLUMNS = ["source_file", "row", "id", "prediction", "probability", "error"]
DATE_IN_PATH = r"/(\d{4})/(\d{2})/(\d{2})/"


def day(text: str) -> datetime:
    """The monitor's window bounds as naive UTC (dateutil, as the runtime's Python may predate 3.11's ISO parser)."""
    return dates.parse(text).replace(tzinfo=None)


def read(spark: SparkSession, root: str):
    files = spark.read.format("binaryFile").option("recursiveFileLookup", "true").load(root).select("path")
    paths = [row.path for row in files.collect()]
    predictions = [p for p in paths if p.endswith("/" + PREDICTIONS_FILE)]
    if predictions:
        frame = spark.read.csv(predictions, header=False, inferSchema=True).toDF(*PREDICTION_COLUMNS)
        return frame.where(F.col("error").isNull() | (F.col("error") == "")).drop("error")
    tables = []
    csv = [p for p in paths if p.lower().endswith(".csv")]
    parquet = [p for p in paths if p.lower().endswith(".parquet")]
    if csv:
        tables.append(spark.read.csv(csv, header=True, inferSchema=True))
    if parquet:
        tables.append(spark.read.parquet(*parquet))
    if not tables:
        raise ValueError(f"no CSV or parquet files under {root}")
    frame = tables[0]
    for table in tables[1:]:
        frame = frame.unionByName(table, allowMissingColumns=True)
    return frame


def preprocess(start: str, end: str, root: str, output: str) -> None:
    spark = SparkSession.builder.appName("batch-monitoring-preprocessing").getOrCreate()
    frame = read(spark, root).withColumn("_path", F.input_file_name())
    dated = frame.withColumn(
        "timestamp",
        F.to_timestamp(
            F.concat_ws(
                "-",
                F.regexp_extract("_path", DATE_IN_PATH, 1),
                F.regexp_extract("_path", DATE_IN_PATH, 2),
                F.regexp_extract("_path", DATE_IN_PATH, 3),
            )
        ),
    ).drop("_path")
    window = dated.where((F.col("timestamp") >= day(start)) & (F.col("timestamp") < day(end)))
    if window.limit(1).count() == 0:
        raise ValueError(f"no batch files dated between {start} and {end} under {root}")
    # Azure ML's Spark runtime writes MLTable folders (as in Azure/azureml-examples cli/monitoring).
    window.write.option("output_format", "parquet").option("overwrite", True).mltable(output)


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("data_window_start", "data_window_end", "input_data", "preprocessed_input_data"):
        parser.add_argument(f"--{name}", required=True)
    args = parser.parse_args()
    preprocess(args.data_window_start, args.data_window_end, args.input_data, args.preprocessed_input_data)


if __name__ == "__main__":
    main()
