"""Steps and helpers shared by every ML scenario: MLflow set-up, metrics, the champion/challenger
gate (evaluate), registration and the local loop.

A scenario plugs in as a sub-package (``tabular`` is the reference) that provides:

- ``MODEL_NAME`` (registered model and experiment name) and ``RAW_DATA`` (shipped data, relative
  to the project folder) in its ``__init__``;
- ``prep.main(argv)`` with ``--input`` and ``--output``, writing the splits and ``schema.json``;
- ``train.main(argv)`` with ``--prepared`` and ``--output``, writing ``model/`` (an MLflow model
  whose pyfunc ``predict`` returns class labels) and ``train_info.json``.

The folder layout is described in ``artifacts.py``; evaluate, register and the loop need nothing else.
"""

from . import quiet  # noqa: F401  (must run before any step module imports MLflow)
