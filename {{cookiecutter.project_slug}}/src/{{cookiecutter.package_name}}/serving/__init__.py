"""Serving the champion model: the Azure ML scoring scripts and the local commands that run them.

Online: ``score.py`` (init/run), ``serve`` and ``smoke`` (azureml-inference-server-http on loopback),
``rollout`` (blue/green decisions for CI). Batch: ``batch_score.py`` (init/run(mini_batch)) and
``batch_local`` (a folder into one CSV). Both: ``payload`` and ``checks`` (the data contract applied
to requests and files), ``model`` (find and call the MLflow model), ``champion`` (export it locally).
Each pattern ships only its mode's modules.
"""
