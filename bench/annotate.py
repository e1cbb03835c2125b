"""Concurrent annotators against the server as deployed: gunicorn + PostgreSQL (or SQLite without one).

C simulated annotators loop next-clip + submit over the HTTP API for a project of N clips; prints
p50/p95/p99 per step, labels per second and errors, then reconciles: every submitted label is in the
database once, no clip has more labels than its overlap, nobody labeled a clip twice. Then it streams the
export of a project with 100,000 final labels and prints the gunicorn worker's memory before and after.
The taxonomy is a realistic tree (20 x 10 x 5 = 1,000 leaves by default, `--tree`) and every submit
sends a leaf drawn at random; each server gets a warm-up load (`--warmup` seconds, not counted) before the
measured runs. On PostgreSQL it first runs the first annotator count against a server with the fast lane
off (the reference services, CLIPCAT_LABELING_FAST_LANE=0) and prints the ratio; --no-baseline skips
that. Every figure it prints it measured in this run. The scratch database is named after DATABASE_URL's
database (`x` -> `x_bench_annotate`) or `--database`. Targets on a 2-core machine at 8 annotators:
p95 <= 100 ms per step, >= 100 labels/s; at 32, no errors.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/annotate.py [--annotators 8 32]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import threading
import time

from _django import ROOT, setup
from _load import Client, free_port, gunicorn_start, percentile, rss_kib, wait_port, worker_pids
from _world import ready_clip_rows


def tree_csv(shape: tuple[int, int, int]) -> str:
    """A ClipCat CSV of a full three-level tree: shape[0] roots, shape[1] children each, shape[2] leaves each."""
    rows = ["code,parent_code,name"]
    for a in range(shape[0]):
        rows.append(f"t{a},,Topic {a}")
        for b in range(shape[1]):
            rows.append(f"t{a}-{b},t{a},Subtopic {a}.{b}")
            rows.extend(f"t{a}-{b}-{c},t{a}-{b},Kind {a}.{b}.{c}" for c in range(shape[2]))
    return "\n".join(rows) + "\n"


def run_load(port: int, project_id: int, tokens: list[str], leaf_ids: list[int], seconds: float) -> dict:
    lat = {"next": [], "submit": []}
    submitted, errors = [], []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def annotate(token: str) -> None:
        client = Client(port, token)
        rng = random.Random(token)
        while time.perf_counter() < deadline:
            try:
                status, lease, t_next = client.post(f"/api/projects/{project_id}/next/", {})
                if status == 204:
                    return
                if status != 200:
                    with lock:
                        errors.append(f"next {status}")
                    continue
                status, body, t_submit = client.post(
                    f"/api/assignments/{lease['id']}/submit/", {"category": rng.choice(leaf_ids), "time_spent_ms": 1200}
                )
                with lock:
                    lat["next"].append(t_next)
                    lat["submit"].append(t_submit)
                    if status == 201:
                        submitted.append(body["label"]["id"])
                    else:
                        errors.append(f"submit {status}: {str(body)[:120]}")
            except Exception as exc:  # counted and shown; the run goes on
                with lock:
                    errors.append(repr(exc)[:120])
                client = Client(port, token)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=annotate, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {"lat": lat, "submitted": submitted, "errors": errors, "wall": wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=10_000)
    parser.add_argument("--annotators", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each load run")
    parser.add_argument("--export-labels", type=int, default=100_000)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--tree", type=int, nargs=3, default=[20, 10, 5], metavar=("L1", "L2", "L3"))
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of load per server before measuring")
    parser.add_argument("--database", help="the scratch PostgreSQL database (default: named after DATABASE_URL's)")
    parser.add_argument(
        "--no-baseline",
        dest="baseline",
        action="store_false",
        help="skip the first run with the fast lane off (the reference services, for the ratio)",
    )
    args = parser.parse_args()
    where = setup("annotate", args.database)

    from django.contrib.auth import get_user_model
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from accounts.services import user_create_with_role
    from annotation.choices import TaskStatus
    from annotation.models import Label, Project, ProjectMember, Task
    from annotation.services.projects import project_create
    from taxonomy import services as tax
    from taxonomy.io import parse_taxonomy_file, taxonomy_import
    from taxonomy.models import Category

    editor = user_create_with_role(username="bench-editor", password="bench-password-1", role="editor")
    taxonomy = taxonomy_import(parsed=parse_taxonomy_file(tree_csv(tuple(args.tree))), name="Bench").taxonomy
    tax.release_publish(taxonomy=taxonomy, actor=editor)
    leaf_ids = list(Category.objects.filter(taxonomy=taxonomy, level=2).values_list("id", flat=True))
    print(f"database: {where}; clips: {args.clips}; taxonomy {'x'.join(map(str, args.tree))}, {len(leaf_ids)} leaves")

    def phase(port: int, count: int, name: str, seconds: float, clips: int, quiet: bool = False) -> dict:
        """`count` annotators on a new project of `clips` clips; prints and returns the figures."""
        ids = ready_clip_rows(clips, f"{name}{count}")
        project = project_create(
            name=f"Load {name} {count}",
            taxonomy=taxonomy,
            actor=editor,
            clip_filter={"ids": ids},
            overlap=1,
            queue_order="random",
        )
        users = [
            user_create_with_role(username=f"{name}{count}-{i}", password="bench-password-1", role="annotator")
            for i in range(count)
        ]
        ProjectMember.objects.bulk_create([ProjectMember(project=project, user=u) for u in users])
        tokens = [Token.objects.get_or_create(user=u)[0].key for u in users]
        connection.close()
        result = run_load(port, project.pk, tokens, leaf_ids, seconds)
        lat, n = result["lat"], len(result["submitted"])
        result["rate"] = n / result["wall"]
        if quiet:
            print(f"\nwarm-up ({name}, {count} annotators, {result['wall']:.1f} s, not counted): {n} labels")
            return result
        print(
            f"\n{count} annotators ({name}), {result['wall']:.1f} s: {n} labels, {result['rate']:.1f} labels/s, "
            f"{len(result['errors'])} errors" + (f" (first: {result['errors'][0]})" if result["errors"] else "")
        )
        for step in ("next", "submit"):
            values = lat[step]
            result[f"{step}_p95"] = percentile(values, 0.95)
            print(
                f"  {step:7s} p50 {percentile(values, 0.5) * 1000:6.1f} ms"
                f"   p95 {percentile(values, 0.95) * 1000:6.1f} ms"
                f"   p99 {percentile(values, 0.99) * 1000:6.1f} ms   (n={len(values)})"
            )
        in_db = set(Label.objects.filter(task__project=project).values_list("id", flat=True))
        per_task = Task.objects.filter(project=project, labels_count__gt=1).count()
        twice = Label.objects.filter(task__project=project).values("task", "annotator").distinct().count()
        lost = set(result["submitted"]) - in_db
        print(
            f"  reconcile: {len(in_db)} labels in the database for {n} accepted submits; lost {len(lost)}; "
            f"clips over their overlap {per_task}; duplicate (clip, person) pairs {len(in_db) - twice}"
        )
        return result

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(ROOT)}
    baseline = None
    if args.baseline and connection.vendor == "postgresql":
        # The same load with the fast lane and prepared statements off: the reference services only.
        port = free_port()
        reference = gunicorn_start(
            port, args.web_workers, {**env, "CLIPCAT_LABELING_FAST_LANE": "0", "CLIPCAT_PREPARED_STATEMENTS": "0"}
        )
        try:
            wait_port(port)
            phase(port, args.annotators[0], "reference-warmup", args.warmup, 2000, quiet=True)
            baseline = phase(port, args.annotators[0], "reference", args.seconds, args.clips)
        finally:
            reference.terminate()
            reference.wait(timeout=30)
    port = free_port()
    server = gunicorn_start(port, args.web_workers, env)
    try:
        wait_port(port)
        print(f"\nserver: gunicorn, {args.web_workers} workers x 4 threads, {connection.vendor}")
        lane = "fast lane" if connection.vendor == "postgresql" else "reference"
        phase(port, args.annotators[0], f"{lane}-warmup", args.warmup, 2000, quiet=True)
        for count in args.annotators:
            result = phase(port, count, lane, args.seconds, args.clips)
            if baseline is not None and count == args.annotators[0]:
                print(
                    f"  against the reference in this run ({count} annotators): "
                    f"{result['rate'] / baseline['rate']:.1f}x labels/s; next p95 "
                    f"{baseline['next_p95'] * 1000:.0f} -> {result['next_p95'] * 1000:.0f} ms, submit p95 "
                    f"{baseline['submit_p95'] * 1000:.0f} -> {result['submit_p95'] * 1000:.0f} ms"
                )

        # Export: a project with N final labels, streamed through gunicorn; worker memory before/after.
        ids = ready_clip_rows(args.export_labels, "x")
        project = Project.objects.create(
            name="Export", taxonomy=taxonomy, release=taxonomy.releases.get(), created_by=editor
        )
        Task.objects.bulk_create(
            [
                Task(
                    project=project,
                    clip_id=i,
                    status=TaskStatus.DONE,
                    final_category_id=leaf_ids[i % len(leaf_ids)],
                    final_source="agreement",
                    final_release=project.release,
                    labels_count=1,
                    taken=1,
                )
                for i in ids
            ],
            batch_size=5000,
        )
        token = Token.objects.get_or_create(user=editor)[0].key
        connection.close()
        # The first pass warms the worker up (imports, caches); the second one is the figure. The export
        # streams every row of the project both times: it has no paging.
        for label in ("warm-up", f"{args.export_labels:,} labels"):
            before = {pid: rss_kib(pid) for pid in worker_pids(server.pid)}
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            t0 = time.perf_counter()
            url = f"/api/projects/{project.pk}/export/?file_format=csv"
            conn.request("GET", url, headers={"Authorization": f"Token {token}"})
            response = conn.getresponse()
            size, rows = 0, 0
            while chunk := response.read(1 << 16):
                size += len(chunk)
                rows += chunk.count(b"\n")
            elapsed = time.perf_counter() - t0
            after = {pid: rss_kib(pid) for pid in worker_pids(server.pid)}
            grew = max((after.get(pid, 0) - kib) for pid, kib in before.items()) if before else 0
            print(
                f"\nexport ({label}): {rows - 1:,} rows, {size / 1e6:.1f} MB in {elapsed:.1f} s; "
                f"largest worker RSS growth {grew / 1024:.1f} MiB (RSS now {max(after.values()) / 1024:.0f} MiB)"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
        get_user_model()


if __name__ == "__main__":
    main()
