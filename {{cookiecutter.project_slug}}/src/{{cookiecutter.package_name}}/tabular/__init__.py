"""Tabular scenario: credit-default classification with scikit-learn on the shipped dataset."""

from ..common import quiet  # noqa: F401  (MLflow's quiet defaults, before train imports MLflow)

# Name of the model in the MLflow / Azure ML registry; the pipeline YAML passes the same value.
MODEL_NAME = "credit-default"

# The shipped raw data, relative to the project folder (see data/README.md).
RAW_DATA = "data/credit_default.csv"
