"""Drift monitoring: the local drift report (``make drift``); Azure ML's monitor is mlops/azureml/monitoring."""
