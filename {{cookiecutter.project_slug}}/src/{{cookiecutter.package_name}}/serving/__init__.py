"""Serving the champion model: the Azure ML scoring scripts and the local commands that run them.

Online: ``score.py`` (init/run), ``serve`` and ``smoke`` (azureml-inference-server-http on loopback),
``rollout`` (blue/green decisions for CI). Batch: ``batch_score.py`` (init/run(mini_batch)) and
``batch_local`` (a folder into one CSV). Both: ``errors`` (client errors, batch lines), ``model``
(find the model folder), ``champion`` (export the local champion). What depends on the data lives in
the scenario's ``scoring.py``{% if cookiecutter.ml_scenario == "tabular" %}; ``payload`` and ``checks`` apply the tabular data contract to
requests and files{% endif %}. Each pattern ships only its mode's modules.
"""
