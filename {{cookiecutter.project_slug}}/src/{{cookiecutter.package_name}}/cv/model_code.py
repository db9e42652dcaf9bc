"""The MLflow model's code ("models from code"): MLflow copies this file into the model folder and runs it on load.

Loading the class by import instead of unpickling a saved object means no pickle in the model and
no code run at load time beyond this file; the package itself ships with the scoring code.
"""

from mlflow.models import set_model

from {{ cookiecutter.package_name }}.cv.classifier import ImageClassifier

set_model(ImageClassifier())
