"""A local stand-in for Azure ML's MLflow tracking endpoint: only the routes Azure ML serves, 404 for the rest.

Azure ML's workspace answers MLflow's REST API, but not all of it: MLflow 3's logged-models routes, which
``log_model`` calls, get a 404 there (Azure/azure-sdk-for-python#44896). The served routes, each with its
source, are listed in tests/data/azureml_mlflow_routes.json. This server answers exactly those, through
MLflow's own request handlers over a sqlite store, and 404 for anything else; it records every request, so
a test can show that the code Azure ML's components run never leaves the served list.

Run artifacts go to a local folder and never through the server: on Azure ML they also bypass the
tracking routes (azureml-mlflow uploads them through Azure ML's artifact service).

    with TrackingStandIn(tmp_path) as standin:   # MLFLOW_TRACKING_URI=standin.url
        ...
        assert standin.refused() == []
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

ROUTES_FILE = Path(__file__).parent / "data" / "azureml_mlflow_routes.json"


def served_routes(path: Path = ROUTES_FILE) -> set[tuple[str, str]]:
    """(method, path) of every route Azure ML's MLflow endpoint serves."""
    return {(route["method"], route["path"]) for route in json.loads(path.read_text(encoding="utf-8"))["served"]}


@dataclass(frozen=True)
class Hit:
    method: str
    path: str
    status: int
    served: bool  # False: a route Azure ML does not serve, answered 404 here as there


class TrackingStandIn:
    """An in-process HTTP server on 127.0.0.1 (a free port) serving only Azure ML's MLflow routes."""

    def __init__(self, folder: Path, routes: set[tuple[str, str]] | None = None) -> None:
        self.folder = Path(folder)
        self.routes = served_routes() if routes is None else routes
        self.hits: list[Hit] = []
        self._server = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def artifact_root(self) -> Path:
        return self.folder / "artifacts"

    def refused(self) -> list[Hit]:
        """Requests for routes Azure ML does not serve: there they would have failed the same way.

        Not every 404 is one: a served route answers 404 for a missing resource (an experiment not
        created yet), as MLflow's protocol says and as Azure ML does.
        """
        return [hit for hit in self.hits if not hit.served]

    def paths(self) -> set[str]:
        return {hit.path for hit in self.hits}

    def _app(self):
        from flask import Flask
        from mlflow.server import handlers

        app = Flask(__name__)
        for path, handler, methods in handlers.get_endpoints():
            allowed = [method for method in methods if (method, path) in self.routes]
            if allowed:
                app.add_url_rule(path, f"{handler.__name__}:{path}", handler, methods=allowed)

        def recording(environ, start_response):
            def start(status, headers, exc_info=None):
                method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
                self.hits.append(Hit(method, path, int(status.split()[0]), (method, path) in self.routes))
                return start_response(status, headers, exc_info)

            return app.wsgi_app(environ, start)

        return recording

    def start(self) -> TrackingStandIn:
        from mlflow.server import handlers
        from werkzeug.serving import WSGIRequestHandler, make_server

        class Quiet(WSGIRequestHandler):
            def log_request(self, *args) -> None:  # the hits are recorded; a line per request is noise
                pass

        self.folder.mkdir(parents=True, exist_ok=True)
        self.artifact_root.mkdir(exist_ok=True)
        store_uri = f"sqlite:///{(self.folder / 'standin.db').as_posix()}"
        # MLflow's handlers read module-level stores; set them directly rather than through
        # _get_tracking_store(), which would also point this process's own MLflow client at sqlite.
        self._saved = (handlers._tracking_store, handlers._model_registry_store)
        handlers._tracking_store = handlers._tracking_store_registry.get_store(store_uri, self.artifact_root.as_uri())
        handlers._model_registry_store = handlers._model_registry_store_registry.get_store(store_uri)
        self._server = make_server("127.0.0.1", 0, self._app(), threaded=True, request_handler=Quiet)
        self._thread = threading.Thread(target=self._server.serve_forever, name="tracking-standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        from mlflow.server import handlers

        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=10)
            handlers._tracking_store, handlers._model_registry_store = self._saved
            self._server = None

    def __enter__(self) -> TrackingStandIn:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
