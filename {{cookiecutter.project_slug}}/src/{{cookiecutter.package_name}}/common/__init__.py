"""Steps and helpers shared by every ML scenario: MLflow set-up, metrics, the champion/challenger
gate (evaluate), registration and the local loop.

A scenario plugs in as a sub-package (``tabular`` is the reference) that provides:

- ``MODEL_NAME`` (registered model and experiment name) and ``RAW_DATA`` (shipped data, relative
  to the project folder) in its ``__init__``, and ``ensure_raw_data(path)`` if the data are generated;
- ``prep.main(argv)`` with ``--input`` and ``--output``, writing the splits and ``schema.json``;
- ``train.main(argv)`` with ``--prepared`` and ``--output``, writing ``model/`` (an MLflow model
  whose pyfunc ``predict`` returns class labels) and ``train_info.json``.

- ``scoring.py``: what serving and monitoring need (``load``, ``inputs_from_request``, ``predict``,
  ``collected``, ``score_file``, ``profile`` and the sample paths); ``tabular/scoring.py`` is the reference.

The folder layout is described in ``artifacts.py``; evaluate, register and the loop need nothing else.
Deep-learning scenarios train with ``torch_training.py`` (one CPU, one GPU or Azure ML's PyTorch distribution).
"""

from . import quiet  # noqa: F401  (must run before any step module imports MLflow)
