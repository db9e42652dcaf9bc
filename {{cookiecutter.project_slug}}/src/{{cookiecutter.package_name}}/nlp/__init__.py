"""NLP scenario: support-ticket classification with Hugging Face transformers, on the shipped tickets."""

from ..common import quiet  # noqa: F401  (MLflow's quiet defaults, before train imports MLflow)

# Name of the model in the MLflow / Azure ML registry; the pipeline YAML passes the same value.
MODEL_NAME = "support-tickets"

# The shipped raw data, relative to the project folder (see data/nlp/README.md).
RAW_DATA = "data/nlp/support_tickets.csv"
