"""Logic of the Azure ML MLOps cookiecutter template.

Everything the template decides in Python lives here, so the hooks, the Jinja extension,
the tests, the docs and the benchmarks share one implementation:

- ``options``: reads ``cookiecutter.json`` (the one source of truth for the option matrix);
- ``naming``: Azure naming rules and the names derived from the inputs;
- ``validation``: the JSON Schema checked before anything is written;
- ``manifest``: which paths each choice owns, and the removal the post-gen hook performs;
- ``jinja_extension``: exposes the naming helpers to the templates and installs ``answers_guard``;
- ``answers_guard``: answers are data, never rendered as Jinja, and checked as cookiecutter collects them.
"""
