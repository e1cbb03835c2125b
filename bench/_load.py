"""Pieces shared by the load benchmarks (bench/annotate.py, bench/faults.py): an HTTP client with a token,
gunicorn started as a subprocess, percentiles, and a process's workers and memory."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

from _django import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 20.0) -> bool:
    """True once something accepts connections on 127.0.0.1:`port`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.2)
    return False


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def worker_pids(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out]


def gunicorn_start(port: int, workers: int, env: dict, threads: int = 4, log: Path | None = None) -> subprocess.Popen:
    """gunicorn serving config.wsgi on 127.0.0.1:`port` (gthread workers), as deployed; its output goes
    to `log` when given."""
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "config.wsgi",
        *("--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads)),
        *("--worker-class", "gthread", "--log-level", "warning"),
    ]
    if log is None:
        return subprocess.Popen(command, cwd=ROOT, env=env)
    with log.open("w") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def _decode(data: bytes) -> dict | list | None:
    """The JSON body, or the start of a non-JSON one (an HTML error page) as {"detail": ...}."""
    if not data:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return {"detail": data[:200].decode("utf-8", "replace")}


class Client:
    """One keep-alive connection to the server, authenticated by a token."""

    def __init__(self, port: int, token: str, timeout: float = 30):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.headers = {
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }

    def request(self, method: str, path: str, body: bytes | None, headers: dict) -> tuple[int, dict | None, float]:
        t0 = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            raise
        return response.status, _decode(data), time.perf_counter() - t0

    def post(self, path: str, body: dict) -> tuple[int, dict | None, float]:
        return self.request("POST", path, json.dumps(body).encode(), self.headers)

    def get(self, path: str) -> tuple[int, dict | None, float]:
        return self.request("GET", path, None, self.headers)

    def upload(self, path: str, file: Path, fields: dict[str, str]) -> tuple[int, dict | None, float]:
        """POST multipart/form-data: `fields` plus the file as `file`."""
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            for name, value in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file.name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + file.read_bytes()
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers = {**self.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self.request("POST", path, b"".join(parts), headers)
