"""Spark transformer of the payment_history feature set: what materialization runs on Azure ML.

For each repayment, aggregates over the 90 days up to and including it, per applicant: the same
definition as ``history.transform`` in src/{{ cookiecutter.package_name }}/tabular/history.py, which the
local loop runs (tests/test_feature_store.py compares the two when pyspark is installed). Shape of a
transformer class: Azure/azureml-examples sdk/python/featurestore_sample/featurestore/featuresets/
transactions/transformation_code/transaction_transform.py (a pyspark.ml Transformer with _transform).
"""

from pyspark.ml import Transformer
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

WINDOW_DAYS = 90
SECONDS_PER_DAY = 86400


class PaymentHistoryTransformer(Transformer):
    def _transform(self, df: DataFrame) -> DataFrame:
        window = (
            Window.partitionBy("applicant_id")
            .orderBy(F.col("event_timestamp").cast("long"))
            .rangeBetween(-WINDOW_DAYS * SECONDS_PER_DAY, 0)
        )
        due = F.sum(F.col("amount_due").cast("double")).over(window)
        paid = F.sum(F.col("amount_paid").cast("double")).over(window)
        return (
            df.withColumn("history_payments_90d", F.count("amount_due").over(window))
            .withColumn("history_max_days_late_90d", F.max(F.col("days_late").cast("long")).over(window))
            .withColumn("history_paid_ratio_90d", F.round(F.when(due > 0, paid / due).otherwise(1.0), 6))
            .select(
                "applicant_id",
                "event_timestamp",
                "history_payments_90d",
                "history_max_days_late_90d",
                "history_paid_ratio_90d",
            )
        )
