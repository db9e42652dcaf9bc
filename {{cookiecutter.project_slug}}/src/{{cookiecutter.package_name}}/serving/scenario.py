"""The chosen scenario's serving adapter, the one place serving and monitoring learn which it is.

``{{ cookiecutter.ml_scenario }}/scoring.py`` reads requests and batch files, calls the model and describes
inputs for monitoring; everything in ``serving/`` around it is the same for every scenario.
"""

from ..{{ cookiecutter.ml_scenario }} import scoring

__all__ = ["scoring"]
