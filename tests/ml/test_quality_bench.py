"""`bench/quality.py --quick --json` runs end to end (a small world through the real training code, the
real images through the real frame encoder) and writes every figure the issue asks for."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_quick_bench_writes_the_figures(tmp_path):
    out = tmp_path / "quality.json"
    onnx = ROOT / "var" / "test-onnx"  # shared with the classifier tests: the export depends only on the weights
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "quality.py"), "--quick", "--json", str(out), "--onnx-dir", str(onnx)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(out.read_text())
    world = report["world"]
    for key in ("hit1", "hit1_ci", "gap20", "level_acc", "hierarchical_f1", "ece", "open_set_auroc", "n_test"):
        assert key in world, key
    assert 0 <= world["hit1_ci"][0] <= world["hit1"] <= world["hit1_ci"][1] <= 1
    assert len(world["level_acc"]) == 3 and world["n_test"] > 0
    assert 0 <= world["open_set_auroc"] <= 1
    assert set(world["open_set"]["world_out_of_set"]) == {"max_prob", "energy", "prototype"}
    assert {"all", "frames", "text", "audio"} <= set(report["ablation"])
    real = report["real"]
    for name in ("lfw_faces", "digits"):
        methods = real[name]["5"]
        assert set(methods) == {"prototype", "trained", "pixels_centroid", "pixels_logreg"}
        assert all(0 <= m["low"] <= m["mean"] <= m["high"] <= 1 for m in methods.values())
    assert "hit@1" in done.stdout and "targets:" in done.stdout
