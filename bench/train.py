"""Seconds per epoch of supervised head training on cached features (synthetic random, real shapes).

Prints figures, asserts nothing. 10k clips: a timed full epoch when it fits the time budget,
otherwise a fixed number of steps extrapolated (said in the output). 100k clips: per-step cost does
not depend on the dataset size, so it is extrapolated from timed steps. Run:

    .venv/bin/python bench/train.py [--model nextvlad_moe] [--steps 20] [--full-epoch]
"""

from __future__ import annotations

import argparse
import math
import os
import time

import torch

from classifier.ml.config import TrainConfig
from classifier.ml.labels import LabelSpace
from classifier.ml.registry import create_model
from classifier.ml.train import ClipFeatures, level_losses, train_supervised


def label_space(l1: int = 12, l2: int = 5, l3: int = 4) -> LabelSpace:
    rows = []
    for a in range(l1):
        rows.append({"code": f"c{a}", "parent_code": None, "level": 1})
        for b in range(l2):
            rows.append({"code": f"c{a}.{b}", "parent_code": f"c{a}", "level": 2})
            for c in range(l3):
                rows.append({"code": f"c{a}.{b}.{c}", "parent_code": f"c{a}.{b}", "level": 3})
    return LabelSpace(rows, "bench")


def features(n: int, space: LabelSpace, frames: int, sentences: int, audio_chunks: int) -> ClipFeatures:
    g = torch.Generator().manual_seed(0)
    tensors = {
        "frames": torch.randn(n, frames, 1280, generator=g),
        "frames_mask": torch.ones(n, frames, dtype=torch.bool),
        "text": torch.randn(n, sentences, 512, generator=g),
        "text_mask": torch.ones(n, sentences, dtype=torch.bool),
    }
    if audio_chunks:
        tensors["audio"] = torch.randn(n, audio_chunks, 64, 100, generator=g)
        tensors["audio_mask"] = torch.ones(n, audio_chunks, dtype=torch.bool)
    leaves = [p[-1] for p in space.leaf_paths]
    codes = [leaves[i] for i in torch.randint(0, len(leaves), (n,), generator=g)]
    return ClipFeatures(tensors, space.targets_tensor(codes))


def time_steps(model: torch.nn.Module, data: ClipFeatures, batch_size: int, steps: int, bf16: bool) -> float:
    """Seconds per optimisation step (forward, backward, AdamW), after 2 warm-up steps."""
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    model.train()
    g = torch.Generator().manual_seed(1)
    for i in range(steps + 2):
        if i == 2:
            started = time.perf_counter()
        index = torch.randint(0, len(data), (batch_size,), generator=g)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            logits = model(data.batch(index))
        loss = level_losses({k: v.float() for k, v in logits.items()}, data.targets[index])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return (time.perf_counter() - started) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="nextvlad_moe")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--frames", type=int, default=16)
    parser.add_argument("--sentences", type=int, default=4)
    parser.add_argument("--audio-chunks", type=int, default=0, help="0: frames + text only (cached features)")
    parser.add_argument("--steps", type=int, default=10, help="timed steps for the extrapolations")
    parser.add_argument("--full-epoch", action="store_true", help="also time one real epoch over 10k clips")
    parser.add_argument("--precision", nargs="+", default=["fp32", "bf16"], choices=["fp32", "bf16"])
    args = parser.parse_args()

    space = label_space()
    modalities = ("frames", "text", "audio") if args.audio_chunks else ("frames", "text")
    torch.manual_seed(0)
    model = create_model(args.model, num_classes=space.num_classes, modalities=modalities)
    params = sum(p.numel() for p in model.parameters())
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, os.cpu_count()={os.cpu_count()}, "
          f"device=cpu; model {args.model} ({params / 1e6:.1f}M params), modalities {modalities}")
    print(f"clip: {args.frames} frames x 1280, {args.sentences} sentences x 512, {args.audio_chunks} audio chunks; "
          f"batch {args.batch_size}; classes per level {space.num_classes}")
    pool = features(2048, space, args.frames, args.sentences, args.audio_chunks)
    for precision in args.precision:
        per_step = time_steps(model, pool, args.batch_size, args.steps, bf16=precision == "bf16")
        for n in (10_000, 100_000):
            steps = math.ceil(n / args.batch_size)
            print(f"[{precision}] {n:>7} clips: {steps} steps x {per_step:.3f} s = {steps * per_step:7.1f} s/epoch "
                  f"(extrapolated from {args.steps} timed steps)")
    if args.full_epoch:
        data = features(10_000, space, args.frames, args.sentences, args.audio_chunks)
        config = TrainConfig(epochs=1, batch_size=args.batch_size, val_fraction=0.0, balance="sqrt",
                             log_every=10**9, precision=args.precision[-1])
        result = train_supervised(model, data, space, config)
        print(f"[{config.precision}]   10000 clips: one real epoch of train_supervised took {result.seconds:.1f} s "
              "(measured, no validation)")
    print("note: shared 2-core machine; figures are noisy and only indicative")


if __name__ == "__main__":
    main()
