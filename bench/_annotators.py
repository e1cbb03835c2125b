"""Simulated annotators that behave like the labeling page (static/js/labeling.js) when the server fails.

Each loops next + submit over the HTTP API. A connection error or a 5xx is retried with a short backoff
(BACKOFF), the same request again: the same lease id for a submit. A retried submit answered 400 is looked
up (GET the lease): "submitted" means an earlier attempt was saved, so it counts as accepted (its label
is then found by lease id). A submit that still fails after every retry stays pending and is sent again
before the next clip, as the page keeps an unsent label in the browser.
"""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass, field

from _load import Client, percentile

BACKOFF = (0.2, 0.5, 1.0, 2.0, 4.0)  # seconds before the 2nd ... 6th attempt
EMPTY = -1  # "next" answered 204: nothing left to label


@dataclass
class LoadLog:
    """What the annotators saw. Times are wall-clock (time.time()) so they compare with fault windows."""

    lat: dict[str, list[tuple[float, float]]] = field(default_factory=lambda: {"next": [], "submit": []})
    accepted: list[tuple[int, int | None]] = field(default_factory=list)  # (lease id, label id or None)
    failures: list[tuple[float, float, str, str]] = field(default_factory=list)  # (start, end, kind, what)
    unsent: list[int] = field(default_factory=list)  # leases whose label was never confirmed
    empty: int = 0
    wall: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, item) -> None:
        with self.lock:
            getattr(self, name).append(item)


class Annotator:
    def __init__(self, port: int, token: str, project_id: int, category_id: int, log: LoadLog):
        self.port, self.token, self.log = port, token, log
        self.project_id, self.category_id = project_id, category_id
        self.client = Client(port, token, timeout=15)
        self.pending: int | None = None

    def call(self, step: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict | None, int] | None:
        """The request, retried on a connection error or a 5xx; (status, body, attempts) or None."""
        started, t0 = time.time(), time.perf_counter()
        for attempt in range(len(BACKOFF) + 1):
            a0 = time.time()
            try:
                if method == "GET":
                    status, data, _ = self.client.get(path)
                else:
                    status, data, _ = self.client.post(path, body or {})
                if status < 500:
                    if step in self.log.lat:
                        self.log.lat[step].append((started, time.perf_counter() - t0))
                    return status, data, attempt + 1
                what = f"{step} {status}: {str(data)[:100]}"
            except (http.client.HTTPException, OSError) as exc:
                self.client = Client(self.port, self.token, timeout=15)
                what = f"{step}: {exc!r}"[:140]
            self.log.add("failures", (a0, time.time(), "attempt", what))
            if attempt < len(BACKOFF):
                time.sleep(BACKOFF[attempt])
        self.log.add("failures", (started, time.time(), "gave up", step))
        return None

    def next(self) -> int | None:
        """A lease id, EMPTY, or None when this try failed."""
        result = self.call("next", "POST", f"/api/projects/{self.project_id}/next/")
        if result is None:
            return None
        status, data, _ = result
        if status == 204:
            return EMPTY
        if status == 200:
            return data["id"]
        self.log.add("failures", (time.time(), time.time(), "refused", f"next {status}: {str(data)[:100]}"))
        time.sleep(0.2)
        return None

    def submit(self, lease: int, resend: bool = False) -> None:
        body = {"category": self.category_id, "time_spent_ms": 1200}
        result = self.call("submit", "POST", f"/api/assignments/{lease}/submit/", body)
        if result is None:
            self.pending = lease
            return
        self.pending = None
        status, data, attempts = result
        if status == 201:
            self.log.add("accepted", (lease, data["label"]["id"]))
            return
        if status == 400 and (attempts > 1 or resend) and self.lease_status(lease) == "submitted":
            self.log.add("accepted", (lease, None))  # an earlier attempt was saved
            return
        self.log.add("failures", (time.time(), time.time(), "refused", f"submit {status}: {str(data)[:100]}"))

    def lease_status(self, lease: int) -> str | None:
        result = self.call("lease", "GET", f"/api/assignments/{lease}/")
        return result[1].get("status") if result is not None and result[0] == 200 else None

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            if self.pending is not None:
                self.submit(self.pending, resend=True)
                continue
            lease = self.next()
            if lease == EMPTY:
                with self.log.lock:
                    self.log.empty += 1
                return
            if lease is not None:
                self.submit(lease)
        if self.pending is not None:
            self.log.add("unsent", self.pending)


def run_annotators(port: int, project_id: int, tokens: list[str], category_id: int, stop: threading.Event) -> LoadLog:
    """Run one annotator thread per token until `stop` is set (or the queue is empty)."""
    log = LoadLog()
    t0 = time.perf_counter()
    threads = [
        threading.Thread(target=Annotator(port, t, project_id, category_id, log).run, args=(stop,)) for t in tokens
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log.wall = time.perf_counter() - t0
    return log


def in_windows(start: float, end: float, windows: list[tuple[str, float, float]]) -> bool:
    return any(start <= w_end and end >= w_start for _, w_start, w_end in windows)


def summary(count: int, log: LoadLog, windows: list[tuple[str, float, float]]) -> list[str]:
    """The figures of one phase: latencies, labels/s, and failures inside and outside fault windows."""
    n = len(log.accepted)
    retried = sum(1 for _, label in log.accepted if label is None)
    lines = [
        f"{count} annotators, {log.wall:.1f} s: {n} labels accepted ({retried} by a retry answered "
        f'"already submitted"), {n / log.wall:.1f} labels/s' + ("; the queue ran out" if log.empty else "")
    ]
    for step in ("next", "submit"):
        values = [s for _, s in log.lat[step]]
        clean = [s for t, s in log.lat[step] if not in_windows(t, t + s, windows)]
        line = (
            f"  {step:7s} p50 {percentile(values, 0.5) * 1000:6.1f} ms   p95 {percentile(values, 0.95) * 1000:6.1f} ms"
            f"   p99 {percentile(values, 0.99) * 1000:6.1f} ms   (n={len(values)})"
        )
        if windows:
            line += f"; outside fault windows p95 {percentile(clean, 0.95) * 1000:.1f} ms (n={len(clean)})"
        lines.append(line)
    for where, inside in (("outside fault windows", False), ("inside fault windows", True)):
        if inside and not windows:
            continue
        seen = [f for f in log.failures if in_windows(f[0], f[1], windows) == inside]
        kinds = {k: sum(1 for f in seen if f[2] == k) for k in ("attempt", "refused", "gave up")}
        lines.append(
            f"  errors {where}: {len(seen)} (failed attempts retried {kinds['attempt']}, refused "
            f"{kinds['refused']}, gave up after {len(BACKOFF) + 1} attempts {kinds['gave up']})"
            + (f"; first: {seen[0][3]}" if seen else "")
        )
    lines.append(f"  labels never confirmed to the annotator at the end: {len(log.unsent)}")
    return lines


def table(phases: list[tuple]) -> list[str]:
    """One line per phase: labels/s, latencies per step, errors outside / inside fault windows."""
    head = f"  {'phase':<10} {'labels/s':>8}   {'next p50 / p95 / p99 ms':>24}   {'submit p50 / p95 / p99 ms':>26}"
    lines = [head + "   errors"]
    for name, _, log, windows in phases:
        cells = []
        for step in ("next", "submit"):
            values = [s * 1000 for _, s in log.lat[step]]
            cells.append(" / ".join(f"{percentile(values, q):.0f}" for q in (0.5, 0.95, 0.99)))
        inside = sum(1 for f in log.failures if in_windows(f[0], f[1], windows))
        outside = len(log.failures) - inside
        lines.append(
            f"  {name:<10} {len(log.accepted) / log.wall:8.1f}   {cells[0]:>24}   {cells[1]:>26}   "
            f"{outside} outside fault windows" + (f", {inside} inside" if windows else "")
        )
    return lines
