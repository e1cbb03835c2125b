"""Frame-feature throughput and fidelity of every backend, in one run.

Prints, per backend: frames per second through ``FrameFeatureExtractor.extract`` on 224x224 uint8
frames (batched), the ratio to eager torch fp32, the cosine similarity of its features to fp32 on
real photographs, and the share of this machine's measured fp32 matmul rate it reaches (the model's
FLOPs per frame are counted with ``torch.utils.flop_counter``). Figures only, no assertions.

    .venv/bin/python bench/features.py                 # CPU: torch, torch-amp, onnx, onnx-int8
    .venv/bin/python bench/features.py --device cuda   # GPU: torch, torch-amp
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from classifier.ml.encoders.extractor import FrameFeatureExtractor  # noqa: E402
from classifier.ml.encoders.frames import create_frame_backbone, lite0_config  # noqa: E402
from classifier.ml.encoders.onnx_runtime import available_cpus, sample_calibration_frames  # noqa: E402


def matmul_gflops(device: str, n: int = 2048, seconds: float = 2.0) -> float:
    """Sustained fp32 matmul rate of the device, in GFLOP/s."""
    a, b = torch.randn(n, n, device=device), torch.randn(n, n, device=device)
    torch.mm(a, b)
    _sync(device)
    reps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        torch.mm(a, b)
        reps += 1
    _sync(device)
    return 2 * n**3 * reps / (time.perf_counter() - start) / 1e9


def backbone_gflops_per_frame() -> float:
    """FLOPs (2 per multiply-add) of one 224x224 frame through the feature mode, in GFLOP."""
    backbone = create_frame_backbone(lite0_config())
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        backbone.pooled_features(torch.zeros(1, 3, 224, 224))
    return counter.get_total_flops() / 1e9


def evaluation_frames() -> np.ndarray:
    """Real photographs seen differently from the int8 calibration crops (off-centre, zoomed, others)."""
    base = sample_calibration_frames(448, names=("astronaut", "coffee", "chelsea", "rocket"))[:4]
    corners = [f[y : y + 224, x : x + 224] for f in base for y, x in ((0, 0), (224, 224), (112, 60))]
    others = sample_calibration_frames(224, names=("immunohistochemistry", "colorwheel", "logo"))[:3]
    return np.concatenate([np.stack(corners), others])


def timed_rounds(
    extractors: dict[str, FrameFeatureExtractor], frames: np.ndarray, rounds: int, seconds: float, device: str
) -> dict[str, list[float]]:
    """Frames per second of each extractor, measured in interleaved rounds so that load from other
    processes on a shared machine spreads over all backends instead of hitting one."""
    for extractor in extractors.values():
        extractor.extract(frames[: extractor.batch_size])  # warm-up
    fps: dict[str, list[float]] = {name: [] for name in extractors}
    for _ in range(rounds):
        for name, extractor in extractors.items():
            done, start = 0, time.perf_counter()
            while done == 0 or time.perf_counter() - start < seconds:
                extractor.extract(frames)
                done += len(frames)
            _sync(device)
            fps[name].append(done / (time.perf_counter() - start))
    return fps


def _sync(device: str) -> None:
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--frames", type=int, default=128, help="frames per extract() call")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=6.0, help="timed seconds per backend, all rounds")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved timing rounds")
    parser.add_argument("--cache-dir", type=Path, default=None, help="ONNX cache (default: a temp dir)")
    args = parser.parse_args()

    cpus = available_cpus()
    torch.set_num_threads(cpus)
    backends = (
        ["torch", "torch-amp"]
        if args.device.startswith("cuda")
        else ["torch", "torch-amp", "onnx", "onnx-int8"]
    )
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 256, (args.frames, 224, 224, 3), dtype=np.uint8)
    real = evaluation_frames()
    name = torch.cuda.get_device_name() if args.device.startswith("cuda") else f"{cpus} CPU cores (affinity)"
    print(
        f"device: {args.device} ({name}); torch {torch.__version__}; "
        f"batch {args.batch_size}; {args.frames} frames/call"
    )

    gflop_frame = backbone_gflops_per_frame()
    peak = matmul_gflops(args.device)
    print(f"backbone: {gflop_frame:.3f} GFLOP/frame (tf_efficientnet_lite0, 224 px, pooled features)")
    print(f"fp32 matmul 2048^3: {peak:.1f} GFLOP/s")

    extractors, setup, cosine, reference = {}, {}, {}, None
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            start = time.perf_counter()
            extractors[backend] = FrameFeatureExtractor(
                lite0_config(),
                backend=backend,
                device=args.device,
                batch_size=args.batch_size,
                onnx_cache_dir=args.cache_dir or Path(tmp),
            )
            setup[backend] = time.perf_counter() - start
            feats = extractors[backend].extract(real)
            reference = feats if reference is None else reference
            cosine[backend] = _cosine(feats, reference)
        fps = timed_rounds(extractors, frames, args.rounds, args.seconds / args.rounds, args.device)

    eager = float(np.median(fps["torch"]))
    print(f"\nframes/s over {args.rounds} interleaved rounds: median (best); ratios and % use the median")
    print(
        f"{'backend':<10} {'fps':>16} {'x eager':>8} {'cos min':>8} {'cos mean':>9} "
        f"{'% matmul':>9} {'setup s':>8}  id"
    )
    for backend, runs in fps.items():
        med, best = float(np.median(runs)), max(runs)
        share = 100 * med * gflop_frame / peak
        cos = cosine[backend]
        print(
            f"{backend:<10} {med:8.1f} ({best:5.1f}) {med / eager:8.2f} {cos.min():8.4f} {cos.mean():9.4f} "
            f"{share:8.1f}% {setup[backend]:8.1f}  {extractors[backend].backbone_id}"
        )
    print(f"\ncosine: vs torch fp32 on {len(real)} real images (off-centre crops + images not calibrated on)")
    print("% matmul: model FLOPs/frame x fps over the fp32 matmul rate (for int8: fp32-equivalent FLOPs)")
    print(
        "setup: model load, or ONNX export / int8 calibration when not cached; "
        "timings are noisy when other processes share the machine"
    )


if __name__ == "__main__":
    main()
