"""{{ cookiecutter.project_slug }}: an Azure Machine Learning project generated from the MLOps template."""

__version__ = "0.1.0"
