"""Real processes for the reliability suites: free ports and a ``streamlit run app.py`` server."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.demo_data import clean_env

ROOT = Path(__file__).resolve().parents[2]
COOKIE_KEY = "reliability-suite-cookie-key-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log_path: Path

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]

    def get(self, path: str, timeout: float = 5) -> tuple[int, str]:
        with urllib.request.urlopen(f"{self.url}{path}", timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_streamlit(*, data_dir: Path, database_url: str, log_path: Path, timeout: float = 90) -> Server:
    """``streamlit run app.py`` on a free port against ``database_url``; returns once /_stcore/health is ok."""
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    log = log_path.open("w", encoding="utf-8")
    process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                               env=clean_env(DATA_DIR=str(data_dir), DATABASE_URL=database_url,
                                             AUTH_COOKIE_KEY=COOKIE_KEY))
    log.close()
    server = Server(f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}:\n{server.log_tail()}")
        try:
            status, body = server.get("/_stcore/health", timeout=1)
            if status == 200 and body.strip() == "ok":
                return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"streamlit did not answer /_stcore/health within {timeout:.0f} s:\n{server.log_tail()}")
