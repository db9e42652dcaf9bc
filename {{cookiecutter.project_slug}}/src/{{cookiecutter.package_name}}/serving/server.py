"""Run azureml-inference-server-http (the server of Azure ML's online endpoints) on this machine.

``azmlinfsrv`` always listens on 0.0.0.0, which would offer the model to the whole network; the
entry point here is the same server with the listen address set to loopback by default
(``--host 0.0.0.0`` for a container). ``LocalServer`` starts it as a child process on a free
port, waits until it answers and stops exactly that process (and its workers) afterwards.

    python -m {{ cookiecutter.package_name }}.serving.server --entry_script score.py --model_dir DIR --port 5001
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

LOOPBACK = "127.0.0.1"
# One synchronous worker (the server's default) let one client that sends half a body hold every other
# request until it gave up. Threads let a worker read and answer requests side by side; two workers keep
# serving if one is busy or restarting. The server passes WORKER_COUNT and WORKER_TIMEOUT to gunicorn as
# -w and --timeout (azureml_inference_server_http/amlserver_linux.py, 1.5); gunicorn takes the settings the
# server does not set from GUNICORN_CMD_ARGS (gunicorn/config.py, Config.get_cmd_args_from_env), and runs
# its gthread worker when threads > 1 (gunicorn docs, "threads" setting).
WORKERS = 2
THREADS = 4
# Seconds a worker may go silent (a stuck model load) before gunicorn restarts it; the server's default is 300.
WORKER_TIMEOUT = 60
SCORE_SCRIPT = Path(__file__).with_name("score.py")
SRC_DIR = Path(__file__).resolve().parents[1].parent
MODULE = "{{ cookiecutter.package_name }}.serving.server"


def stop_on_signals() -> None:
    """Turn Ctrl-C and SIGTERM into exceptions, so ``finally`` blocks stop the server we started.

    Without this a SIGTERM (CI cancelling a job) would end Python without cleanup, and a shell
    that started us in the background may have set SIGINT to be ignored.
    """
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))


def free_port(host: str = LOOPBACK) -> int:
    """A port the OS says is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="azmlinfsrv, listening on loopback unless told otherwise.")
    parser.add_argument("--host", default=LOOPBACK, help="listen address (default: %(default)s)")
    args, server_args = parser.parse_known_args(argv)
    from azureml_inference_server_http import amlserver

    if not hasattr(amlserver, "DEFAULT_HOST"):
        raise SystemExit("this azureml-inference-server-http has no DEFAULT_HOST: run azmlinfsrv directly")
    # amlserver passes this module-level constant to gunicorn as the bind address.
    amlserver.DEFAULT_HOST = args.host
    sys.argv = ["azmlinfsrv", *server_args]
    amlserver.run()
    return 0


class LocalServer:
    """The scoring server as a child process: ``with LocalServer(model_dir) as url: ...``."""

    def __init__(
        self,
        model_dir: Path,
        entry_script: Path = SCORE_SCRIPT,
        port: int | None = None,
        workers: int = WORKERS,
        log_path: Path | None = None,
        threads: int = THREADS,
        timeout: int = WORKER_TIMEOUT,
    ):
        self.model_dir, self.entry_script, self.log_path = Path(model_dir), Path(entry_script), log_path
        self.port = port or free_port()
        self.workers, self.threads, self.timeout = workers, threads, timeout
        self.process: subprocess.Popen | None = None
        self.log = None
        self.run_dir: Path | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def command(self) -> list[str]:
        return [
            *(sys.executable, "-m", MODULE),
            *("--entry_script", str(self.entry_script), "--model_dir", str(self.model_dir)),
            *("--port", str(self.port), "--worker_count", str(self.workers)),
        ]

    def gunicorn_environment(self) -> dict[str, str]:
        """Workers, threads, timeout and a control socket of this server's own (in a fresh temp folder).

        gunicorn's control socket defaults to ~/.gunicorn/gunicorn.ctl (or $XDG_RUNTIME_DIR/gunicorn.ctl),
        one path for every server the user runs (gunicorn/config.py, ControlSocket, 25.1+).
        """
        if self.run_dir is None:
            self.run_dir = Path(tempfile.mkdtemp(prefix="scoring-server-"))
        settings = ["--threads", str(self.threads), "--control-socket", str(self.run_dir / "gunicorn.ctl")]
        return {
            "WORKER_COUNT": str(self.workers),
            "WORKER_TIMEOUT": str(self.timeout),
            "GUNICORN_CMD_ARGS": shlex.join(settings),
        }

    def start(self, timeout: float = 60, log_path: Path | None = None) -> str:
        """Start the server and wait until it answers; its output goes to ``log_path`` (else this console)."""
        log_path = log_path or self.log_path
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC_DIR), os.environ.get("PYTHONPATH")]))}
        env.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
        env.update(self.gunicorn_environment())
        self.log = open(log_path, "w", encoding="utf-8") if log_path else None  # noqa: SIM115
        # A new session makes the server the leader of its own process group, so stopping it
        # reaches its gunicorn workers too, and nothing else.
        self.process = subprocess.Popen(
            self.command(),
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT if self.log else None,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the scoring server exited with code {self.process.returncode} (log: {log_path})")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=1) as answer:
                    if answer.status == 200:
                        return self.url
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        self.stop()
        raise TimeoutError(f"the scoring server did not answer on {self.url} within {timeout} s (log: {log_path})")

    def stop(self, grace: float = 10) -> None:
        process, self.process = self.process, None
        if process is not None:
            # The group id is the server's own PID (new session): the signal reaches its workers only.
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(grace)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            except ProcessLookupError:
                process.wait()  # it had already exited
        if self.log is not None:
            self.log.close()
        self.log = None
        if self.run_dir is not None:
            shutil.rmtree(self.run_dir, ignore_errors=True)
        self.run_dir = None

    def __enter__(self) -> str:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


if __name__ == "__main__":
    raise SystemExit(main())
