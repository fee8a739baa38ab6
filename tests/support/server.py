"""Start real ``pyrewatch serve`` processes for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class ServerProcess:
    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    grpc_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def grpc_target(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    def start(self, timeout: float = 120.0) -> ServerProcess:
        """Start and wait for ``/readyz``. The ports are chosen here and bound by the child, so
        another process may take one in between: then choose new ports and try again."""
        for _ in range(5):
            offset = self.log_path.stat().st_size if self.log_path.exists() else 0
            if self._launch(timeout):
                return self
            if not _lost_a_port(self._log_since(offset)):
                raise RuntimeError(f"server exited with {self._exit_code()}: {self.log()}")
            self.port, self.grpc_port = free_port(), free_port()
        raise RuntimeError(f"server could not bind free ports: {self.log()}")

    def _launch(self, timeout: float) -> bool:
        """Run the server; True once ready, False if it exited. The deadline only bounds a hang."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PHOENIX_", "PYREWATCH_"))}
        env.update(self.env)
        env.update(
            {
                "PHOENIX_HOST": "127.0.0.1",
                "PHOENIX_PORT": str(self.port),
                "PHOENIX_GRPC_PORT": str(self.grpc_port),
            }
        )
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "pyrewatch", "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                # Another test's server may hold the port this one failed to bind: only a ready
                # answer from a port this process listens on counts.
                ready = httpx.get(f"{self.url}/readyz", timeout=5).status_code == 200
                if ready and _listens_on(self.process.pid, self.port):
                    return True
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"server not ready after {timeout}s: {self.log()}")

    def _exit_code(self) -> int | None:
        return None if self.process is None else self.process.returncode

    def _log_since(self, offset: int) -> str:
        with self.log_path.open("rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self, env: Mapping[str, str]) -> ServerProcess:
        """Stop, replace the environment (same ports and database) and start again."""
        self.stop()
        self.env = dict(env)
        return self.start()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""


def _lost_a_port(log: str) -> bool:
    """Whether the server exited because one of its ports was taken."""
    lowered = log.lower()
    return "address already in use" in lowered or "failed to bind" in lowered or "errno 98" in lowered


def _listens_on(pid: int, port: int) -> bool:
    """Whether process ``pid`` holds the listening TCP socket of ``port`` (Linux /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                inodes.add(fields[9])
    try:
        links = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
    except OSError:
        return False
    return any(link == f"socket:[{inode}]" for link in links for inode in inodes)
