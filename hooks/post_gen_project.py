"""Remove what the chosen pattern does not contain, from the declarative manifest.

Runs in the new project's folder after generation (and again on every ``cruft update``), so it
only deletes paths the manifest names, inside this folder, and does nothing the second time. When
the project was baked over an existing one, what the user had under those paths is put back.
"""

import json
import sys
from pathlib import Path

ANSWERS = json.loads(r'''{{ cookiecutter | tojson }}''')


def main() -> int:
    sys.path.insert(0, json.loads(r'''{{ mlops_template_root | tojson }}'''))
    from mlops_template.manifest import remove_unselected, restore_kept

    remove_unselected(Path.cwd(), ANSWERS)
    # What the pre-gen hook kept of a project baked over (-f) goes back: only this bake's files are removed.
    restore_kept(Path.cwd())
    return 0


if __name__ == "__main__":
    sys.exit(main())
