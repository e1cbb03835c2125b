"""The loop after a standards change, timed: from "release published" to "new model active and every clip
re-predicted", for N labeled clips on this machine's CPU. Target: <= 10 minutes at 10,000 labeled clips.

Setup (not timed): a 3-level taxonomy (72 leaves), N ready clips whose features are written straight into
the feature cache under the keys clip_features() reads (frames [T, 1280], title text [1, 512], log-mel
audio [Ta, 64, 100] float16; a learnable signal per category plus noise), a project with one final label
per clip, and a first model v1 trained and active. Timed: merge one leaf into its sibling and publish
(label migration runs inside the publish), the retrain run the publish asked for (training_run_execute,
synchronously, with evaluation and promotion), then predict_clips over every ready clip in batches.
Prints each stage's seconds, the total, the run's log and the load average. Figures only, no asserts.

    .venv/bin/python bench/loop.py [--clips 1000 10000] [--frames 16] [--audio-chunks 8] [--epochs N]

The audio branch (a CNN over log-mel, trained in every run) dominates training on a CPU: bench/train.py
measured ~5 s per batch of 64 with 8 audio chunks against ~0.16 s without audio on the 2-core machine, so
`--audio-chunks 0` is the run that can meet the target there.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import time
import uuid

import numpy as np
from _django import ROOT, setup

L1, L2, L3 = 8, 3, 3  # 8 x 3 x 3 = 72 leaves


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} CPUs"


def build_taxonomy(editor):
    from taxonomy import services

    taxonomy = services.taxonomy_create(name=f"Loop bench {uuid.uuid4().hex[:6]}", actor=editor)
    leaves = []
    for a in range(L1):
        top = services.category_add(taxonomy=taxonomy, name=f"Topic {a}", actor=editor, code=f"t{a}")
        for b in range(L2):
            mid = services.category_add(
                taxonomy=taxonomy, name=f"Sub {a}.{b}", parent=top, actor=editor, code=f"t{a}-{b}"
            )
            for c in range(L3):
                leaves.append(
                    services.category_add(
                        taxonomy=taxonomy, name=f"Leaf {a}.{b}.{c}", parent=mid, actor=editor, code=f"t{a}-{b}-{c}"
                    )
                )
    services.release_publish(taxonomy=taxonomy, actor=editor, notes="first")
    return taxonomy, leaves


def make_clips(n: int, leaves, args, rng: np.random.Generator):
    """N ready clips with cached features: a prototype per level (top + sub + leaf) plus noise, so the
    hierarchy is learnable; returns the clips and each one's leaf."""
    from annotation.models import Clip
    from classifier import clip_features as cf

    clips = Clip.objects.bulk_create(
        [
            Clip(
                title=f"Loop clip {i}",
                file=f"clips/loop/{i}.mp4",
                checksum=hashlib.sha256(f"loop-{uuid.uuid4()}".encode()).hexdigest(),
                status="ready",
                duration=float(args.frames),
                frames=f"derived/loop/{i}/frames.npy",
                frame_count=args.frames,
                audio=f"derived/loop/{i}/audio.npy" if args.audio_chunks else "",
                has_audio=bool(args.audio_chunks),
            )
            for i in range(n)
        ],
        batch_size=1000,
    )
    cache, ids = cf.feature_cache(), cf.encoder_ids()
    proto = {
        "frames": rng.normal(size=(L1 + L1 * L2 + len(leaves), 1280)).astype(np.float32),
        "text": rng.normal(size=(L1 + L1 * L2 + len(leaves), 512)).astype(np.float32),
        "audio": rng.normal(size=(len(leaves), 64, 100)).astype(np.float32),
    }
    chosen = rng.integers(0, len(leaves), size=n)
    for clip, j in zip(clips, chosen, strict=True):
        a, b = j // (L2 * L3), j // L3
        rows = [a, L1 + b, L1 + L1 * L2 + j]
        key = clip_key_for(clip)
        frames = proto["frames"][rows].sum(0) * 0.35 + rng.normal(size=(args.frames, 1280)).astype(np.float32)
        cache.put(key, ids["frames"], frames.astype(np.float32))
        texts = [clip.title]  # no description, no tags: clip_texts() gives the title alone
        digest = hashlib.sha256("\x1f".join(texts).encode()).hexdigest()[:12]
        text = proto["text"][rows].sum(0) * 0.05 + rng.normal(size=(1, 512)).astype(np.float32) * 0.05
        cache.put(f"{key}-t{digest}", ids["text"], text.astype(np.float32))
        if args.audio_chunks:
            mel = proto["audio"][j] * 0.5 + rng.normal(size=(args.audio_chunks, 64, 100))
            cache.put(key, cf.LOGMEL_ID, mel.astype(np.float16))
    return clips, [leaves[j] for j in chosen]


def clip_key_for(clip) -> str:
    from classifier.clip_features import clip_key

    return clip_key(clip)


def label_everything(taxonomy, clips, truth, editor, annotator):
    """One project over the clips, each task done with one label and its final label (bulk writes)."""
    from collections import defaultdict

    from django.utils import timezone

    from annotation.models import Label, Task
    from annotation.services.projects import project_create

    project = project_create(
        name=f"Loop labels {uuid.uuid4().hex[:6]}",
        taxonomy=taxonomy,
        actor=editor,
        clip_filter={"ids": [c.pk for c in clips]},
    )
    tasks = {t.clip_id: t for t in Task.objects.filter(project=project)}
    release = project.release
    Label.objects.bulk_create(
        [
            Label(task=tasks[c.pk], annotator=annotator, category=leaf, release=release, time_spent_ms=8000)
            for c, leaf in zip(clips, truth, strict=True)
        ],
        batch_size=2000,
    )
    by_leaf = defaultdict(list)
    for c, leaf in zip(clips, truth, strict=True):
        by_leaf[leaf.pk].append(tasks[c.pk].pk)
    for leaf_id, task_ids in by_leaf.items():
        Task.objects.filter(pk__in=task_ids).update(
            status="done",
            taken=1,
            labels_count=1,
            final_category_id=leaf_id,
            final_release=release,
            final_source="agreement",
            completed_at=timezone.now(),
            agreement={"levels": {"1": True, "2": True, "3": True}, "partial": 1.0, "labels": 1},
        )
    return project


def train_now(taxonomy, reason: str):
    from classifier.services.runs import training_run_request
    from classifier.services.training import training_run_execute

    run = training_run_request(taxonomy=taxonomy, trigger="manual", reason=reason, window_s=0)
    return training_run_execute(run_id=run.pk)


def one(n: int, args) -> None:
    from django.contrib.auth import get_user_model

    from accounts.services import user_create_with_role
    from annotation.models import Clip, Label
    from classifier.choices import ModelStatus
    from classifier.models import ModelVersion, Prediction, TrainingRun
    from classifier.services.inference import predict_clips, prediction_batches
    from taxonomy import services as taxonomy_services

    rng = np.random.default_rng(n)
    users = get_user_model().objects
    editor = users.filter(username="loop-editor").first() or user_create_with_role(
        username="loop-editor", password=uuid.uuid4().hex, role="editor"
    )
    annotator = users.filter(username="loop-annotator").first() or user_create_with_role(
        username="loop-annotator", password=uuid.uuid4().hex, role="annotator"
    )
    # Each size on its own clips: the previous size's leave the "ready" set that re-prediction walks.
    Clip.objects.filter(status="ready").update(status="pending")
    started = time.perf_counter()
    taxonomy, leaves = build_taxonomy(editor)
    clips, truth = make_clips(n, leaves, args, rng)
    label_everything(taxonomy, clips, truth, editor, annotator)
    print(f"  setup: {n} clips with cached features and final labels in {time.perf_counter() - started:.1f} s")
    from django.conf import settings

    started, epochs = time.perf_counter(), settings.CLIPCAT_TRAIN_EPOCHS
    settings.CLIPCAT_TRAIN_EPOCHS = args.first_epochs  # v1 is setup: a short run is enough to start from
    first = train_now(taxonomy, "bench: first model")
    settings.CLIPCAT_TRAIN_EPOCHS = epochs
    v1 = ModelVersion.objects.filter(taxonomy=taxonomy, status=ModelStatus.ACTIVE).first()
    print(
        f"  v1 (not timed): {time.perf_counter() - started:.1f} s, run {first.status}, "
        f"hit@1 {v1.metrics.get('hit_at_1', float('nan')):.3f}"
        if v1
        else f"  v1 failed: {first.error}"
    )
    if v1 is None:
        return

    # Timed from here: an editor merges a leaf into its sibling and publishes.
    print(f"  before the loop: {load()}")
    source, target = leaves[1], leaves[0]
    moved = Label.objects.filter(category=source, is_current=True).count()
    t0 = time.perf_counter()
    taxonomy_services.category_merge(source=source, target=target, actor=editor, reason="bench: merge")
    release = taxonomy_services.release_publish(taxonomy=taxonomy, actor=editor, notes="bench: merge")
    t1 = time.perf_counter()
    run = TrainingRun.objects.filter(taxonomy=taxonomy, status="queued").order_by("-created_at").first()
    if run is None:
        print("  the release asked for no run; nothing to time")
        return
    from classifier.services.training import training_run_execute

    run = training_run_execute(run_id=run.pk)
    t2 = time.perf_counter()
    run.refresh_from_db()
    v2 = ModelVersion.objects.filter(taxonomy=taxonomy, status=ModelStatus.ACTIVE).first()
    predicted = 0
    if run.promoted:
        for batch in prediction_batches(version=v2):
            predicted += len(
                predict_clips(version=v2, clips=list(Clip.objects.filter(pk__in=batch).prefetch_related("tags")))
            )
    t3 = time.perf_counter()
    print(f"  release {release.version} (merged {source.code} into {target.code}, {moved} labels moved)")
    print(f"  publish + label migration : {t1 - t0:8.1f} s")
    print(f"  retrain, evaluate, promote: {t2 - t1:8.1f} s  (run {run.pk}: {run.status}, promoted {run.promoted})")
    print(f"    {run.epoch} epochs: {(t2 - t1) / max(run.epoch, 1):.1f} s per epoch (features and evaluation included)")
    print(f"  re-predict {predicted:>6} clips  : {t3 - t2:8.1f} s  ({predicted / max(t3 - t2, 1e-9):.0f} clips/s)")
    print(f"  total                     : {t3 - t0:8.1f} s  = {(t3 - t0) / 60:.1f} min (target <= 10 min at 10,000)")
    if v2 is not None and run.promoted:
        m = v2.metrics
        print(
            f"  v{v2.number}: hit@1 {m.get('hit_at_1', 0):.3f} (v1 on the same held-out clips "
            f"{m.get('baseline_hit_at_1') or 0:.3f}), trained on {v2.train_count}, held out {v2.eval_count}; "
            f"{Prediction.objects.filter(model_version=v2).count()} predictions stored"
        )
    print(f"  after the loop: {load()}")
    print("  run log:")
    for line in run.log.strip().splitlines():
        print(f"    {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--frames", type=int, default=16, help="frame features per clip (1 fps: a 16 s clip)")
    parser.add_argument("--audio-chunks", type=int, default=8, help="log-mel chunks per clip (0: no audio)")
    parser.add_argument("--epochs", type=int, help="CLIPCAT_TRAIN_EPOCHS of the timed run (default: the setting, 30)")
    parser.add_argument("--first-epochs", type=int, default=3, help="epochs of v1 (setup, not timed)")
    parser.add_argument(
        "--flush-denormal",
        action="store_true",
        help="torch.set_flush_denormal(True): to test whether fine-tuning a converged model slows on denormals",
    )
    args = parser.parse_args()
    # No broker needed: the run is executed here; tasks the services enqueue go to an in-memory broker.
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ.setdefault("CLIPCAT_TRAIN_DEVICE", "cpu")
    # The exported ONNX frame backbone only decides the features' cache key here: reuse the tests' export.
    os.environ.setdefault("CLIPCAT_ONNX_DIR", str(ROOT / "var" / "test-onnx"))
    if args.epochs:
        os.environ["CLIPCAT_TRAIN_EPOCHS"] = str(args.epochs)
    where = setup("loop")
    import torch
    from django.conf import settings

    if args.flush_denormal:
        torch.set_flush_denormal(True)

    print(
        f"bench/loop.py on {where}; torch {torch.__version__}, {torch.get_num_threads()} threads"
        f"{', denormals flushed' if args.flush_denormal else ''}; {load()}"
    )
    print(
        f"model {settings.CLIPCAT_MODEL_NAME}, up to {settings.CLIPCAT_TRAIN_EPOCHS} epochs, device "
        f"{settings.CLIPCAT_TRAIN_DEVICE}; per clip: frames [{args.frames}, 1280], text [1, 512], "
        f"audio [{args.audio_chunks}, 64, 100]"
    )
    for n in args.clips:
        print(f"\n== {n:,} labeled clips")
        one(n, args)


if __name__ == "__main__":
    main()
