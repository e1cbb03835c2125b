"""Ingest throughput and memory of the media pipeline (annotation.media), as a worker runs it.

Generates a batch of videos with PyAV (default: 50 clips of 30 s, 1280x720 at 30 fps, H.264 + stereo AAC;
a few distinct encodes, copied to make up the batch), processes them one after another in a fresh child
process (like a worker with -c 1) and prints: clips per minute, seconds of video processed per second of
wall time, where the time goes (decode, resize, audio, storage), and the child's peak memory (VmHWM).
Then the same for one long video (default one hour at 720p, made by joining copies of a one-minute encode
without re-encoding). Figures only, no assertions.

    .venv/bin/python bench/ingest.py
    .venv/bin/python bench/ingest.py --clips 10 --seconds 10 --long-minutes 5   # quicker
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotation.media.synth import concat_copies, write_video  # noqa: E402


def photo_picture(width: int, height: int, seed: int):
    """A panning photograph with a moving box: real texture, so the encoder and decoder do real work."""
    import numpy as np
    import skimage.data
    from PIL import Image

    photos = ("astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field")
    image = getattr(skimage.data, photos[seed % len(photos)])()[..., :3]
    scale = 1.3 * max(height / image.shape[0], width / image.shape[1])
    size = (round(image.shape[1] * scale), round(image.shape[0] * scale))
    base = np.asarray(Image.fromarray(image).resize(size, Image.BILINEAR))
    room_x, room_y = base.shape[1] - width, base.shape[0] - height

    def picture(index: int, seconds: float):
        x = int(room_x * (0.5 + 0.5 * np.sin(seconds * 0.5 + seed)))
        y = int(room_y * (0.5 + 0.5 * np.cos(seconds * 0.3 + seed)))
        frame = base[y : y + height, x : x + width].copy()
        bx = int((seconds * 200 + seed * 97) % (width - 80))
        frame[height // 3 : height // 3 + 80, bx : bx + 80] = (255, 200, 0)
        return frame

    return picture


def make_batch(folder: Path, clips: int, seconds: float, height: int, fps: int, distinct: int) -> list[Path]:
    width = round(height * 16 / 9 / 2) * 2
    sources = []
    for seed in range(min(distinct, clips)):
        path = folder / f"source-{seed}.mp4"
        write_video(
            path,
            seconds=seconds,
            width=width,
            height=height,
            fps=fps,
            audio_channels=2,
            picture=photo_picture(width, height, seed),
            options={"preset": "veryfast", "tune": "film", "crf": "23"},
        )
        sources.append(path)
    batch = []
    for index in range(clips):
        target = folder / f"clip-{index:03d}.mp4"
        shutil.copyfile(sources[index % len(sources)], target)
        batch.append(target)
    return batch


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(paths: list[str], out_root: str, queue) -> None:
    from annotation.media import process_video

    totals = {"decode": 0.0, "resize": 0.0, "audio": 0.0, "storage": 0.0}
    video_seconds, frames = 0.0, 0
    started = time.perf_counter()
    for index, path in enumerate(paths):
        out = Path(out_root) / f"out-{index}"
        result = process_video(Path(path), out)
        video_seconds += result.duration
        frames += result.frame_count
        for key, value in result.timings.items():
            totals[key] += value
        shutil.rmtree(out)
    wall = time.perf_counter() - started
    queue.put(
        {"wall": wall, "video_seconds": video_seconds, "frames": frames, "timings": totals, "rss": _peak_rss_mb()}
    )


def measure(paths: list[Path], out_root: Path) -> dict:
    """Process `paths` in a fresh process (so its peak memory is this run's alone)."""
    context = mp.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=([str(p) for p in paths], str(out_root), queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def report(title: str, clips: int, figures: dict) -> None:
    wall, timings = figures["wall"], figures["timings"]
    accounted = sum(timings.values())
    print(f"\n{title}")
    print(f"  clips per minute:              {clips / wall * 60:8.1f}")
    print(f"  video seconds per second:      {figures['video_seconds'] / wall:8.1f}   "
          f"({figures['video_seconds']:.0f} s of video in {wall:.1f} s, {figures['frames']} frames kept)")  # fmt: skip
    for key, value in timings.items():
        print(f"    {key:<8} {value:8.2f} s  {100 * value / max(wall, 1e-9):5.1f} %")
    print(f"    other    {wall - accounted:8.2f} s  (outside the pipeline; decode includes probe and demux)")
    print(f"  worker peak memory (VmHWM):    {figures['rss']:8.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clips", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--distinct", type=int, default=3, help="distinct encodes in the batch (the rest are copies)")
    parser.add_argument("--long-minutes", type=float, default=60, help="length of the long video; 0 skips it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="clipcat-bench-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        batch = make_batch(folder, args.clips, args.seconds, args.height, args.fps, args.distinct)
        print(f"generated {args.clips} clips of {args.seconds:.0f} s at {args.height}p{args.fps} "
              f"({args.distinct} distinct encodes) in {time.perf_counter() - started:.0f} s")  # fmt: skip
        report(f"Batch: {args.clips} x {args.seconds:.0f} s, {args.height}p", args.clips, measure(batch, folder))
        for path in batch:
            path.unlink()
        if args.long_minutes > 0:
            started = time.perf_counter()
            minute = folder / "minute.mp4"
            width = round(args.height * 16 / 9 / 2) * 2
            write_video(
                minute, seconds=60, width=width, height=args.height, fps=args.fps, audio_channels=2,
                picture=photo_picture(width, args.height, 7), options={"preset": "veryfast", "crf": "23"},
            )  # fmt: skip
            long_video = concat_copies(minute, folder / "long.mp4", max(1, round(args.long_minutes)))
            size_mb = long_video.stat().st_size / 1e6
            print(f"\ngenerated a {args.long_minutes:.0f}-minute {args.height}p video ({size_mb:.0f} MB) "
                  f"in {time.perf_counter() - started:.0f} s")  # fmt: skip
            report(f"Long video: {args.long_minutes:.0f} min, {args.height}p", 1, measure([long_video], folder))


if __name__ == "__main__":
    main()
