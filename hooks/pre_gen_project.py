"""Validate the answers before anything is written.

Cookiecutter renders this file with Jinja and runs it in the new project's folder. The answers
arrive as a JSON string (never as code), and the validation itself lives in the template's
``mlops_template`` package, which is imported from the template folder.
"""

import json
import sys
from pathlib import Path

ANSWERS = json.loads(r'''{{ cookiecutter | tojson }}''')


def main() -> int:
    sys.path.insert(0, json.loads(r'''{{ mlops_template_root | tojson }}'''))
    try:
        from mlops_template.validation import validate_answers
    except ModuleNotFoundError as missing:  # jsonschema is not one of cookiecutter's own dependencies
        print(
            f"ERROR: the template needs the Python package {missing.name!r} next to cookiecutter.\n"
            "Install it with: python -m pip install cookiecutter jsonschema",
            file=sys.stderr,
        )
        return 1
    messages = validate_answers(ANSWERS)
    if messages:
        print("ERROR: the project was not generated; fix these answers and run again:", file=sys.stderr)
        for message in messages:
            print(f"  - {message}", file=sys.stderr)
        return 1
    # Baking over an existing project (-f): what the user has under paths this pattern excludes is kept
    # aside, so that the post-gen step removes only what this bake writes there.
    from mlops_template.manifest import keep_existing

    keep_existing(Path.cwd(), ANSWERS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
