"""Serve the local champion with the scoring script, as the online endpoint does: ``make serve``.

Exports the champion, starts azureml-inference-server-http on 127.0.0.1 and keeps it running
until Ctrl-C, which stops the server process it started (by PID) and its workers.

    python -m {{ cookiecutter.package_name }}.serving.serve --port 5001
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..config import PROJECT_ROOT
from . import champion
from .server import LocalServer, stop_on_signals

SAMPLE_REQUEST = PROJECT_ROOT / "mlops" / "azureml" / "deploy" / "online" / "sample-request.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the local champion model on http://127.0.0.1:PORT/score.")
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument("--model-dir", type=Path, default=None, help="serve this MLflow model folder instead")
    args = parser.parse_args(argv)
    model_dir = args.model_dir or champion.export()
    server = LocalServer(model_dir, port=args.port)
    try:
        url = server.start()
        print(f"\nserving {model_dir} on {url}/score  (Ctrl-C stops it)")
        sample = SAMPLE_REQUEST.relative_to(PROJECT_ROOT)
        print(f"try:  curl -s -H 'Content-Type: application/json' -d @{sample} {url}/score")
        server.process.wait()
    except KeyboardInterrupt:
        print("\nstopping the server")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    stop_on_signals()
    raise SystemExit(main())
