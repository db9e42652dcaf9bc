"""Smoke test of local serving: ``make smoke``.

Starts the scoring server with the local champion on a free loopback port, posts the sample
request, prints the answer and stops the server it started (also on Ctrl-C or an error).
Exits non-zero unless the answer is a 200 with one prediction per item of the request.

    python -m {{ cookiecutter.package_name }}.serving.smoke
"""

from __future__ import annotations

import argparse
import json
import urllib.error
import urllib.request
from pathlib import Path

from ..config import PROJECT_ROOT
from . import champion
from .scenario import scoring
from .serve import SAMPLE_REQUEST
from .server import LocalServer, stop_on_signals

LOG = PROJECT_ROOT / "outputs" / "serving" / "smoke-server.log"


def post(url: str, body: bytes, timeout: float = 30) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:  # 4xx/5xx still carry a JSON body worth showing
        return error.code, json.loads(error.read() or b"{}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Post the sample request to a locally started scoring server.")
    parser.add_argument("--request", type=Path, default=SAMPLE_REQUEST)
    parser.add_argument("--model-dir", type=Path, default=None, help="serve this MLflow model folder instead")
    args = parser.parse_args(argv)
    body = args.request.read_bytes()
    model_dir = args.model_dir or champion.export()
    LOG.parent.mkdir(parents=True, exist_ok=True)
    with LocalServer(model_dir, log_path=LOG) as url:
        print(f"server up on {url} (log: {LOG})")
        status, answer = post(url + "/score", body)
    print(f"POST /score -> {status}")
    print(json.dumps(answer, indent=2))
    items = len(scoring.inputs_from_request(json.loads(body)))
    if status != 200 or len(answer.get("predictions", [])) != items:
        print(f"smoke test FAILED: expected 200 and {items} predictions")
        return 1
    print(f"smoke test passed: {items} predictions")
    return 0


if __name__ == "__main__":
    stop_on_signals()
    raise SystemExit(main())
