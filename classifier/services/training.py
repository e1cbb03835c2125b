"""Running a training run: features -> training -> evaluation on held-out labels -> an immutable artifact
-> promotion when the new version is not worse. Any failure, a cancel or a killed worker leaves the
active model as it was: promotion is the last step and is atomic."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from uuid import uuid4

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from classifier import clip_features as cf
from classifier.choices import ModelStatus, RunStatus, Split
from classifier.dataset import label_space_rows, labeled_clips
from classifier.models import ModelVersion, TrainingRun
from classifier.splits import splits_for
from taxonomy.selectors import release_diff, release_latest

log = logging.getLogger(__name__)
MIN_LABELED = 4
MAX_STEPS = {"frames": 32, "text": 4, "audio": 32}


class RunReporter:
    """Writes a run's progress to its row, at most once a second (plus every stage change)."""

    def __init__(self, run: TrainingRun):
        self.run = run
        self._last = 0.0
        self._cancel_checked = 0.0
        self._cancel = False

    def stage(self, stage: str, message: str, progress: float | None = None) -> None:
        self.run.stage = stage
        if progress is not None:
            self.run.progress = progress
        self.line(message)
        self.flush(force=True)

    def line(self, message: str) -> None:
        self.run.log += f"{timezone.now():%H:%M:%S} {message}\n"

    def flush(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < 1.0:
            return
        self._last = now
        TrainingRun.objects.filter(pk=self.run.pk).update(
            stage=self.run.stage,
            progress=self.run.progress,
            epoch=self.run.epoch,
            loss=self.run.loss,
            metrics=self.run.metrics,
            log=self.run.log,
            heartbeat_at=timezone.now(),
            device=self.run.device,
        )

    def should_cancel(self) -> bool:
        now = time.monotonic()
        if now - self._cancel_checked > 1.0:
            self._cancel_checked = now
            self._cancel = TrainingRun.objects.filter(pk=self.run.pk, cancel_requested=True).exists()
            self.flush()
        return self._cancel


def _claim(run_id: int) -> TrainingRun | None:
    """Take a queued run (or retry one whose worker died) for this worker; None if someone has it."""
    with transaction.atomic():
        run = TrainingRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
            return None
        if run.status == RunStatus.RUNNING:
            stale = (
                run.heartbeat_at is None
                or (timezone.now() - run.heartbeat_at).total_seconds() > settings.CLIPCAT_RUN_STALE_S
            )
            if not stale:
                return None  # a live worker has it
            run.log += f"{timezone.now():%H:%M:%S} The previous attempt stopped; retrying.\n"
        run.status, run.attempts = RunStatus.RUNNING, run.attempts + 1
        run.started_at, run.heartbeat_at = timezone.now(), timezone.now()
        run.save()
        return run


def _head_mapping(old_release, new_release) -> dict[str, tuple[str, list[str]]]:
    mapping = {}
    for entry in release_diff(old_release, new_release):
        action, targets = entry["action"], list(entry["target_codes"])
        if action in ("kept", "renamed", "moved", "restored"):
            mapping[entry["code"]] = ("kept" if action == "restored" else action, [entry["code"]])
        elif action in ("merged", "split"):
            mapping[entry["code"]] = (action, targets)
        elif action == "deprecated":
            mapping[entry["code"]] = ("deprecated", [])
    return mapping


def _load_active(taxonomy):
    from classifier.ml.artifact import load_artifact

    active = ModelVersion.objects.filter(taxonomy=taxonomy, status=ModelStatus.ACTIVE).select_related("release").first()
    if active is None or not Path(active.artifact).exists():
        return None, None
    return active, load_artifact(active.artifact)


def _mapped(artifact, active, release, label_space, model_config):
    """The active model re-headed for the new label space (or as it is when the release is the same)."""
    from classifier.ml.labels import remap_head
    from classifier.ml.registry import create_model

    if artifact.label_space == label_space:
        return artifact.model
    model = create_model(model_config.name, num_classes=label_space.num_classes, **model_config.model_kwargs())
    remap_head(artifact.model, model, artifact.label_space, label_space, _head_mapping(active.release, release))
    return model


def _artifact_path(taxonomy, number: int, run: TrainingRun) -> Path:
    """A name no other database can have: two databases (a reset demo, a test run) may share one
    CLIPCAT_MODEL_DIR, and their taxonomy, version and run numbers start from 1 alike."""
    return Path(settings.CLIPCAT_MODEL_DIR) / f"taxonomy-{taxonomy.pk}" / f"v{number}-run{run.pk}-{uuid4().hex[:12]}.pt"


def _train(run: TrainingRun, report: RunReporter) -> tuple[ModelVersion, dict | None]:
    import torch

    from classifier.ml.artifact import save_artifact
    from classifier.ml.config import ModelConfig, TrainConfig
    from classifier.ml.evaluation import judged
    from classifier.ml.labels import LabelSpace
    from classifier.ml.registry import create_model
    from classifier.ml.train import ClipFeatures, resolve_device, resolve_precision, train_supervised

    from .evaluation import compare_on_test, fit_version_calibration, split_metrics

    taxonomy = run.taxonomy
    release = release_latest(taxonomy)
    if release is None:
        raise ValueError("The taxonomy has no release; publish one first.")
    run.release = release
    TrainingRun.objects.filter(pk=run.pk).update(release=release)
    label_space = LabelSpace(label_space_rows(release), release=release.version)
    examples = [(clip_id, code) for clip_id, code in labeled_clips(release) if code in label_space.categories]
    if len(examples) < MIN_LABELED or len({code for _, code in examples}) < 2:
        raise ValueError(
            f"Training needs at least {MIN_LABELED} labeled clips in two or more categories under "
            f"release {release.version}; there are {len(examples)}."
        )
    splits = splits_for(taxonomy_id=taxonomy.pk, examples=examples)
    sizes = {s: sum(1 for c, _ in examples if splits[c] == s) for s in Split.values}
    report.stage(
        "features",
        f"{len(examples)} labeled clips under release {release.version}: "
        + ", ".join(f"{n} {s}" for s, n in sizes.items()),
        0.02,
    )
    if sizes[Split.TRAIN] == 0:
        raise ValueError("No labeled clip is in the train split yet; label a few more clips.")

    from annotation.models import Clip

    extractor = cf.frame_extractor()
    clips = {c.pk: c for c in Clip.objects.filter(pk__in=[c for c, _ in examples]).prefetch_related("tags")}
    features = []
    for i, (clip_id, _) in enumerate(examples):
        features.append(cf.clip_features(clips[clip_id], frame_backend=extractor.backend))
        run.progress = 0.02 + 0.28 * (i + 1) / len(examples)
        if report.should_cancel():
            from classifier.ml.train import TrainingCancelled

            raise TrainingCancelled()
    targets = label_space.targets_tensor([code for _, code in examples])
    data = ClipFeatures.from_clips(features, targets, max_steps=MAX_STEPS)

    def part(split: str):
        index = torch.tensor([i for i, (c, _) in enumerate(examples) if splits[c] == split], dtype=torch.long)
        return data.subset(index) if len(index) else None

    train_data, val_data, test_data = part(Split.TRAIN), part(Split.VALIDATION), part(Split.TEST)

    device = resolve_device(settings.CLIPCAT_TRAIN_DEVICE)
    run.device = str(device)
    modalities = tuple(m for m in ("frames", "text", "audio") if m in data.tensors)
    model_config = ModelConfig(
        name=settings.CLIPCAT_MODEL_NAME,
        modalities=modalities,
        frame_dim=1280 if "frames" in modalities else None,
        text_dim=512 if "text" in modalities else None,
        # Hiding a modality now and then teaches each branch to stand alone: the text path alone then
        # answers search queries, and clips without audio are not a surprise.
        modality_dropout=0.3,
    )
    model = create_model(model_config.name, num_classes=label_space.num_classes, **model_config.model_kwargs())
    active, active_artifact = _load_active(taxonomy)
    previous = None
    if (
        active_artifact is not None
        and active_artifact.model_config.modalities == model_config.modalities
        and (active.frame_backend or extractor.backend) == extractor.backend
    ):
        previous = _mapped(active_artifact, active, release, label_space, model_config)
        model.load_state_dict(previous.state_dict())
        report.line(f"Starting from v{active.number} (its head mapped to release {release.version})")
    elif active_artifact is not None:
        report.line(f"Training from scratch: v{active.number} has other modalities or frame features")

    train_config = TrainConfig(
        # Starting from the active model (its head mapped to the release) needs fewer epochs than from zero.
        epochs=settings.CLIPCAT_FINETUNE_EPOCHS if previous is not None else settings.CLIPCAT_TRAIN_EPOCHS,
        batch_size=64,
        device=str(device),
        val_fraction=0.0,
        patience=5,
        balance="sqrt",
        seed=run.pk % 1000,
        precision=resolve_precision(settings.CLIPCAT_TRAIN_PRECISION, device),
    )
    report.stage(
        "training",
        f"Training {model_config.name} on {len(train_data)} clips ({device}); early stopping on "
        f"{len(val_data) if val_data else 0} validation clips",
        0.3,
    )

    def on_progress(p) -> None:
        run.epoch, run.loss = p.epoch, (float(p.loss) if p.loss is not None else run.loss)
        run.progress = 0.3 + 0.6 * min(1.0, p.epoch / max(1, train_config.epochs))
        if p.metrics:
            run.metrics = {f"validation_{k}": v for k, v in p.metrics.items() if isinstance(v, int | float)}
        report.flush()

    # A converged model's small activations turn into denormal floats, which run ~4x slower on CPUs:
    # flush them while training (process-wide, so it is switched back off afterwards).
    torch.set_flush_denormal(True)
    try:
        train_supervised(
            model,
            train_data,
            label_space,
            train_config,
            val_data=val_data,
            progress=on_progress,
            should_cancel=report.should_cancel,
        )
    finally:
        torch.set_flush_denormal(False)
    report.stage("calibrating", "Fitting the calibration on the validation clips", 0.9)
    calibration = fit_version_calibration(model, val_data, label_space, device)
    report.stage("evaluating", f"Evaluating on {len(test_data) if test_data else 0} test clips", 0.92)
    raw = split_metrics(model, calibration, test_data, label_space, device, report=True)
    metrics = judged(raw, settings.CLIPCAT_MIN_TEST_CLIPS)
    metrics["split_sizes"] = sizes
    comparison = None
    if previous is not None:
        old = split_metrics(previous, None, test_data, label_space, device)
        comparison = compare_on_test(raw, old)
        metrics["baseline"] = {"version": active.number, **comparison}
    run.metrics = {k: v for k, v in metrics.items() if isinstance(v, int | float)}
    report.line(_metrics_line(metrics))

    report.stage("saving", "Writing the artifact", 0.96)
    number = (ModelVersion.objects.filter(taxonomy=taxonomy).aggregate(m=Max("number"))["m"] or 0) + 1
    path = _artifact_path(taxonomy, number, run)
    path.parent.mkdir(parents=True, exist_ok=True)
    ids = cf.encoder_ids()
    save_artifact(
        path,
        model.cpu(),
        model_config,
        label_space,
        backbone_id=extractor.backbone_id,
        metrics=run.metrics,
        train_config=train_config.to_dict(),
        extra={
            "text_encoder": ids["text"],
            "run": run.pk,
            "frame_backend": extractor.backend,
            "calibration": calibration.to_dict(),
        },
    )
    version = ModelVersion.objects.create(
        taxonomy=taxonomy,
        release=release,
        number=number,
        status=ModelStatus.READY,
        artifact=str(path),
        backbone_id=extractor.backbone_id,
        text_encoder_id=ids["text"],
        frame_backend=extractor.backend,
        calibration=calibration.to_dict(),
        metrics=metrics,
        train_count=len(train_data),
        eval_count=metrics["count"],
        parent=active,
    )
    run.model_version = version
    return version, comparison


def _metrics_line(metrics: dict) -> str:
    """One log line: test hit@1 with its interval and n, ECE, and what the comparison found."""
    from classifier.metric_text import metric_text

    line = f"Test: {metric_text(metrics, 'hit_at_1')}, ECE {metric_text(metrics, 'ece')}"
    base = metrics.get("baseline")
    if base and base.get("n"):
        line += (
            f"; v{base['version']} on the same {base['n']} clips {base['old']:.3f}, difference {base['diff']:+.3f} "
            f"[{base['low']:+.3f}, {base['high']:+.3f}]"
        )
    return line


def training_run_execute(*, run_id: int) -> TrainingRun | None:
    """Do one training run (called by the `training` queue's task)."""
    from classifier.ml.train import TrainingCancelled

    from .versions import model_version_promote, promotion_allowed

    run = _claim(run_id)
    if run is None:
        return None
    report = RunReporter(run)
    report.stage("starting", f"Attempt {run.attempts}: {', '.join(r['reason'] for r in run.reasons)}", 0.01)
    try:
        version, comparison = _train(run, report)
    except TrainingCancelled:
        report.line("Cancelled; the active model is unchanged.")
        run.status = RunStatus.CANCELLED
    except Exception as exc:  # a failed run is recorded, never half-promoted
        log.exception("training run %s failed", run.pk)
        # Our own refusals (ValueError) read as they are; anything else names its kind, so that a bare
        # message (a path, a key) still says what went wrong.
        reason = str(exc) if isinstance(exc, ValueError) and str(exc) else f"{type(exc).__name__}: {exc}"
        report.line(f"Failed: {reason}")
        run.status, run.error = RunStatus.FAILED, reason
    else:
        allowed, run.promotion_note = promotion_allowed(version=version, comparison=comparison)
        if allowed:
            model_version_promote(version=version, reason=f"run {run.pk}")
            run.promoted = True
            report.line(f"Promoted v{version.number}: {run.promotion_note}")
        else:
            report.line(f"v{version.number} is ready but not promoted: {run.promotion_note}")
        run.status, run.progress = RunStatus.SUCCEEDED, 1.0
    run.finished_at = timezone.now()
    run.stage = "done"
    report.flush(force=True)
    TrainingRun.objects.filter(pk=run.pk).update(
        status=run.status,
        error=run.error,
        finished_at=run.finished_at,
        model_version=run.model_version,
        promoted=run.promoted,
        promotion_note=run.promotion_note,
        release=run.release,
        progress=run.progress,
    )
    return run
