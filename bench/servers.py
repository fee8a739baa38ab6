"""Start and measure server processes for the benchmark: Pyrewatch, Phoenix, a hello-world."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def make_secret() -> str:
    return "b" + secrets.token_hex(24) + "1"


def rss_mib(pid: int) -> float:
    """Resident set size of ``pid`` and its children, in MiB (Linux /proc)."""
    total = 0
    for proc in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{proc}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def _children(pid: int) -> list[int]:
    try:
        direct = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return [*direct, *(c for d in direct for c in _children(d))]


@dataclass
class Server:
    name: str
    argv: list[str]
    env: dict[str, str]
    workdir: Path
    port: int = field(default_factory=free_port)
    grpc_port: int = field(default_factory=free_port)
    ready_path: str = "/readyz"
    process: subprocess.Popen[bytes] | None = None
    startup_seconds: float = 0.0
    admin_secret: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120.0) -> Server:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PHOENIX_", "PYREWATCH_"))}
        env.update(self.env)
        env.update(
            {
                "PHOENIX_HOST": "127.0.0.1",
                "PHOENIX_PORT": str(self.port),
                "PHOENIX_GRPC_PORT": str(self.grpc_port),
                "PHOENIX_WORKING_DIR": str(self.workdir),
            }
        )
        log = (self.workdir / f"{self.name}.log").open("ab")
        started = time.perf_counter()
        self.process = subprocess.Popen(self.argv, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir)
        deadline = started + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited early; see {self.workdir / (self.name + '.log')}")
            try:
                if httpx.get(self.url + self.ready_path, timeout=1).status_code == 200:
                    self.startup_seconds = time.perf_counter() - started
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.01)
        self.stop()
        raise RuntimeError(f"{self.name} not ready after {timeout}s")

    def rss(self) -> float:
        assert self.process is not None
        return rss_mib(self.process.pid)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def auth_env() -> tuple[dict[str, str], str]:
    admin = make_secret()
    return {"PHOENIX_ENABLE_AUTH": "true", "PHOENIX_SECRET": make_secret(), "PHOENIX_ADMIN_SECRET": admin}, admin


def pyrewatch(workdir: Path, database_url: str | None) -> Server:
    env, admin = auth_env()
    if database_url:
        env["PHOENIX_SQL_DATABASE_URL"] = database_url
        env["PHOENIX_SQL_DATABASE_SCHEMA"] = f"bench_{secrets.token_hex(4)}"
    server = Server("pyrewatch", [sys.executable, "-m", "pyrewatch", "serve"], env, workdir)
    server.admin_secret = admin
    return server


def phoenix(python: str, workdir: Path) -> Server:
    env, admin = auth_env()
    server = Server("phoenix", [python, "-m", "phoenix.server.main", "serve"], env, workdir, ready_path="/healthz")
    server.admin_secret = admin
    return server


def hello(workdir: Path) -> Server:
    return Server("hello", [sys.executable, str(HERE / "hello_server.py")], {}, workdir, ready_path="/")
