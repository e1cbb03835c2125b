"""How good the classifier is, with intervals: the generated world and real images that ship in packages.

Prints a table; with ``--json FILE`` also writes one JSON object ``{"world", "ablation", "real", ...}``.
Figures only, no assertions (the targets the issue sets are printed as met or not).

- world: ``classifier.ml.synthetic`` clips through the app's training code (``create_model`` +
  ``ModelConfig`` / ``TrainConfig`` as the training service sets them, ``train_supervised`` with early
  stopping on the validation split), temperatures and open-set thresholds fitted on validation
  (``classifier.ml.calibration``), every figure on the test split only. Open set: leave-one-category-out
  (a model trained without one leaf scores that leaf's clips against the in-set test clips; averaged
  over ``--held-out`` leaves), and the world's own out-of-set clips against the full model.
- ablation: test hit@1 of a model trained with each modality alone.
- real: few-shot categorisation of scikit-image's face / non-face photographs (``lfw_subset``) and
  scikit-learn's digits, each image a one-frame clip through the app's frame encoder (EfficientNet-Lite0,
  weights from the installed package), then the app's prototype classifier and a frames-only model
  trained by ``train_supervised``; raw-pixel nearest centroid and logistic regression beside them.

    .venv/bin/python bench/quality.py [--json FILE] [--quick] [--held-out 3] [--seeds 3]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from classifier.ml import calibration as C  # noqa: E402
from classifier.ml import metrics as M  # noqa: E402
from classifier.ml.config import ModelConfig, TrainConfig  # noqa: E402
from classifier.ml.labels import END, IGNORE, LabelSpace  # noqa: E402
from classifier.ml.registry import create_model  # noqa: E402
from classifier.ml.stats import bootstrap_interval, metric_with_interval, wilson_interval  # noqa: E402
from classifier.ml.synthetic import WorldConfig, centroid_accuracy, make_world  # noqa: E402
from classifier.ml.train import ClipFeatures, predict, seed_everything, train_supervised  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
METHODS = C.OPEN_SET_METHODS
QUICK_WORLD = dict(shape=(2, 2, 2), clips_per_leaf=20, out_of_set=12, frame_steps=4, audio_chunks=1)


# -- training and scoring through the app's code ------------------------------------------------------


SERVICE_MODALITY_DROPOUT = 0.3  # what classifier/services/training.py sets


def train_model(
    data: ClipFeatures,
    val: ClipFeatures | None,
    space: LabelSpace,
    modalities,
    args,
    seed: int = 0,
    modality_dropout: float | None = None,
):
    """A model as the training service builds and trains it (classifier/services/training.py): its model
    and train configs, batch 64, early stopping with patience 5 on ``val``. A one-modality model gets no
    modality dropout (hiding its only modality would leave nothing to learn from)."""
    if modality_dropout is None:
        modality_dropout = SERVICE_MODALITY_DROPOUT if len(modalities) > 1 else 0.0
    config = ModelConfig(
        name=args.model,
        modalities=tuple(modalities),
        frame_dim=1280 if "frames" in modalities else None,
        text_dim=512 if "text" in modalities else None,
        modality_dropout=modality_dropout,
    )
    seed_everything(seed)
    model = create_model(config.name, num_classes=space.num_classes, **config.model_kwargs())
    train_config = TrainConfig(
        epochs=args.epochs,
        batch_size=64,
        device="cpu",
        val_fraction=0.0,
        patience=5,
        balance="sqrt",
        seed=seed,
        log_every=10**9,
    )
    torch.set_flush_denormal(True)
    try:
        result = train_supervised(model, data, space, train_config, val_data=val)
    finally:
        torch.set_flush_denormal(False)
    return model, result


def path_targets(space: LabelSpace, targets: torch.Tensor) -> torch.Tensor:
    """Leaf-path index of each row of per-level targets, -1 where none matches (unknown / out of set)."""
    match = (space.path_index[None] == targets[:, None]).all(-1)  # [N, P]
    return torch.where(match.any(1), match.float().argmax(1), torch.full((len(targets),), -1))


def scored(model, data: ClipFeatures, space: LabelSpace, temperatures: list[float] | None = None) -> dict:
    """Logits (calibrated when temperatures are given), path log-probabilities and embeddings."""
    logits, embeddings = predict(model, data)
    if temperatures is not None:
        logits = C.apply_temperatures(logits, temperatures)
    return {"logits": logits, "path_lp": space.path_log_probs(logits), "embeddings": embeddings}


def test_metrics(out: dict, targets: torch.Tensor, space: LabelSpace) -> dict:
    """The figures of ``classifier.ml.train.evaluate``, from given (calibrated) outputs, with hit@1's interval."""
    path_lp = out["path_lp"]
    scores = path_lp.exp().numpy()
    pred = path_lp.argmax(1)
    positives = ((space.path_index[None] == targets[:, None]) | (targets[:, None] == IGNORE)).all(-1).numpy()
    correct = positives[np.arange(len(pred)), pred.numpy()]
    pred_levels = space.path_index[pred]
    hit = metric_with_interval(correct.astype(int))

    def nodes(row) -> list[str]:
        return [
            space.level_codes[lv][int(i)]
            for lv, i in enumerate(row)
            if i != IGNORE and space.level_codes[lv][int(i)] != END
        ]

    return {
        "hit1": hit["value"],
        "hit1_ci": [hit["low"], hit["high"]],
        "n": hit["n"],
        "gap20": M.gap_at_k(scores, positives, k=20),
        "level_acc": [M.accuracy(targets[:, lv].numpy(), pred_levels[:, lv].numpy()) for lv in range(space.depth)],
        "hierarchical_f1": M.hierarchical_f1([nodes(t) for t in targets], [nodes(p) for p in pred_levels]),
        "ece": M.expected_calibration_error(scores.max(1), correct),
        "ece_ci": list(
            bootstrap_interval(
                np.stack([scores.max(1), correct], axis=1),
                lambda rows: M.expected_calibration_error(rows[:, 0], rows[:, 1]),
                n_boot=500,
            )
        ),
        "correct": correct,
    }


def calibrations(model, val: ClipFeatures, space: LabelSpace) -> dict[str, C.Calibration]:
    """One calibration per open-set method, fitted on the validation clips."""
    raw_logits, embeddings = predict(model, val)
    pt = path_targets(space, val.targets)
    return {
        method: C.fit_calibration(
            raw_logits, val.targets, space.path_log_probs, embeddings=embeddings, path_targets=pt, method=method
        )
        for method in METHODS
    }


def open_set_figures(cals: dict[str, C.Calibration], inside: dict, outside: dict) -> dict:
    """Per method: AUROC of in-set vs out-of-set scores, and the share of each side its threshold rejects."""
    figures = {}
    for method, cal in cals.items():
        s_in = cal.score(inside["path_lp"], inside["logits"], inside["embeddings"])
        s_out = cal.score(outside["path_lp"], outside["logits"], outside["embeddings"])
        figures[method] = {
            "auroc": C.auroc(s_in, s_out),
            "in_set_rejected": float(np.mean(s_in < cal.open_set_threshold)),
            "out_of_set_rejected": float(np.mean(s_out < cal.open_set_threshold)),
        }
    return figures


# -- the generated world ------------------------------------------------------------------------------


def world_section(args) -> tuple[dict, dict]:
    overrides = dict(QUICK_WORLD) if args.quick else {}
    if args.clips_per_leaf:
        overrides["clips_per_leaf"] = args.clips_per_leaf
    config = WorldConfig(seed=args.seed, **overrides)
    started = time.perf_counter()
    world = make_world(config)
    args.fractions = _fractions(config.clips_per_leaf, args)
    split = world.split(args.seed, args.fractions)
    space = world.label_space
    modalities = ("frames", "text", "audio")
    train, val, test = (world.subset(i) for i in (split.train, split.val, split.test))
    print(
        f"world: shape {config.shape}, {len(world)} clips ({len(split.train)} train, {len(split.val)} validation, "
        f"{len(split.test)} test, {len(split.out_of_set)} out of set); chance hit@1 {1 / len(world.leaves):.3f}; "
        f"model {args.model}"
    )

    model, result = train_model(train, val, space, modalities, args, seed=args.seed)
    cals = calibrations(model, val, space)
    temperatures = cals["max_prob"].temperatures
    raw = test_metrics(scored(model, test, space), test.targets, space)
    out_in = scored(model, test, space, temperatures)
    figures = test_metrics(out_in, test.targets, space)
    oos = scored(model, world.subset(split.out_of_set), space, temperatures)
    world_oos = open_set_figures(cals, out_in, oos) if len(split.out_of_set) else {}
    confidence = out_in["path_lp"].exp().max(1).values.numpy()
    cal = cals["max_prob"]
    chosen = cal.preselect(confidence, cal.score(out_in["path_lp"], out_in["logits"], out_in["embeddings"]))
    oos_conf = oos["path_lp"].exp().max(1).values.numpy()
    oos_chosen = cal.preselect(oos_conf, cal.score(oos["path_lp"], oos["logits"], oos["embeddings"]))
    print(
        f"  full model: {result.epochs_run} epochs (best {result.best_epoch}), {result.seconds:.0f} s; "
        f"temperatures {', '.join(f'{t:.2f}' for t in temperatures)}"
    )

    # leave one category out: a model that never saw the category scores its clips against the in-set test clips
    leaves, tops = world.leaves, [c for c in space.level_codes[0] if c != END]
    held = [leaves[(k * len(leaves)) // args.held_out + k % 2] for k in range(min(args.held_out, len(leaves)))]
    held_tops = [tops[(k * len(tops)) // args.held_out_top] for k in range(min(args.held_out_top, len(tops) - 1))]
    loo = {
        "leaf": leave_out_figures(world, held, modalities, args),
        "top_level": leave_out_figures(world, held_tops, modalities, args),
    }
    best = {kind: max(entry["by_method"], key=entry["by_method"].get) for kind, entry in loo.items() if held}

    ablation = {"all": _hit(figures)}
    for modality in modalities:
        m3, r3 = train_model(
            world.subset(split.train, (modality,)), world.subset(split.val, (modality,)), space, (modality,), args
        )
        t3 = calibrations(m3, world.subset(split.val, (modality,)), space)["max_prob"].temperatures
        ablation[modality] = _hit(test_metrics(scored(m3, world.subset(split.test, (modality,)), space, t3),
                                               test.targets, space))  # fmt: skip
        print(f"  {modality} alone: {r3.epochs_run} epochs, {r3.seconds:.0f} s")
    if not args.quick:  # is it the fusion or the modality dropout? the full model without the dropout
        m4, r4 = train_model(train, val, space, modalities, args, args.seed, modality_dropout=0.0)
        t4 = calibrations(m4, val, space)["max_prob"].temperatures
        ablation["all_without_modality_dropout"] = _hit(test_metrics(scored(m4, test, space, t4), test.targets, space))
        print(f"  all without modality dropout: {r4.epochs_run} epochs, {r4.seconds:.0f} s")

    section = {
        "config": {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(config).items()},
        "model": args.model,
        "n_train": len(split.train),
        "n_val": len(split.val),
        "n_test": figures["n"],
        "n_out_of_set": len(split.out_of_set),
        **{k: v for k, v in figures.items() if k not in ("correct", "n")},
        "ece_uncalibrated": raw["ece"],
        "ece_floor": _ece_floor(confidence),
        "hit1_uncalibrated": raw["hit1"],
        "temperatures": temperatures,
        "open_set_auroc": loo["leaf"]["by_method"][best["leaf"]] if held else None,
        "open_set": {
            "note": "open_set_auroc: leave-one-leaf-out AUROC (in-set test clips vs the left-out leaf's clips), "
            "mean over the left-out leaves, of the method best on these same clips (best_method)",
            "best_method": best,
            "leave_one_leaf_out": loo["leaf"],
            "leave_one_top_level_out": loo["top_level"],
            "world_out_of_set": world_oos,
        },
        "preselect": {
            "min_confidence": cal.preselect_min_confidence,
            "in_set_share": float(chosen.mean()),
            "in_set_precision": float(figures["correct"][chosen].mean()) if chosen.any() else None,
            "out_of_set_share": float(oos_chosen.mean()) if len(oos_chosen) else None,
        },
        "centroid_baseline": {m: centroid_accuracy(world, split, m) for m in modalities},
        "best_epoch": result.best_epoch,
        "seconds": time.perf_counter() - started,
    }
    return section, ablation


def leave_out_figures(world, held: list[str], modalities, args) -> dict:
    """Per left-out category: a model trained without it, calibrated on validation; open-set figures of
    its clips (all of them: none was trained on) against the in-set test clips. Mean AUROC per method."""
    per_category = {}
    for code in held:
        w2 = world.leave_out(code)
        s2 = w2.split(args.seed, args.fractions)
        model, result = train_model(w2.subset(s2.train), w2.subset(s2.val), w2.label_space, modalities, args, args.seed)
        cals = calibrations(model, w2.subset(s2.val), w2.label_space)
        temperatures = cals["max_prob"].temperatures
        inside = scored(model, w2.subset(s2.test), w2.label_space, temperatures)
        gone = np.array([i for i, c in enumerate(w2.codes) if c is None and world.codes[i] is not None])
        outside = scored(model, w2.subset(gone), w2.label_space, temperatures)
        per_category[code] = open_set_figures(cals, inside, outside)
        per_category[code]["n"] = {"in_set": len(s2.test), "out_of_set": len(gone)}
        aurocs = ", ".join(f"{m} {per_category[code][m]['auroc']:.3f}" for m in METHODS)
        print(f"  without {code}: {result.epochs_run} epochs, {result.seconds:.0f} s; AUROC {aurocs}")
    by_method = {m: float(np.mean([per_category[c][m]["auroc"] for c in held])) if held else None for m in METHODS}
    return {"held_out": held, "by_method": by_method, "per_category": per_category}


def _fractions(clips_per_leaf: int, args) -> tuple[float, float, float]:
    """Train / validation / test shares giving ``--train-per-leaf`` and ``--val-per-leaf`` clips, the rest
    for testing: a generated world can test on as many clips as it likes at no training cost."""
    train, val = args.train_per_leaf / clips_per_leaf, args.val_per_leaf / clips_per_leaf
    if train + val >= 1:
        raise SystemExit(f"--train-per-leaf + --val-per-leaf must stay below {clips_per_leaf} clips per leaf")
    return train, val, 1.0 - train - val


def _ece_floor(confidence: np.ndarray, draws: int = 200, seed: int = 0) -> float:
    """Mean ECE of a perfectly calibrated model with these confidences (outcomes drawn at those rates):
    what the finite test split alone adds to the measured ECE."""
    rng = np.random.default_rng(seed)
    outcomes = rng.random((draws, len(confidence))) < confidence[None]
    return float(np.mean([M.expected_calibration_error(confidence, hit) for hit in outcomes]))


def _hit(figures: dict) -> dict:
    return {"hit1": figures["hit1"], "hit1_ci": figures["hit1_ci"], "n": figures["n"]}


# -- real images that ship in packages ----------------------------------------------------------------


def real_datasets(quick: bool) -> dict[str, tuple[np.ndarray, np.ndarray, list[str]]]:
    """name -> (images [N, H, W] float in [0, 1], labels [N], class names)."""
    import skimage.data
    from sklearn.datasets import load_digits

    faces = skimage.data.lfw_subset()  # 100 faces, then 100 non-faces (25 x 25 grey)
    face_labels = np.r_[np.zeros(100, int), np.ones(100, int)]
    digits = load_digits()
    images, labels = digits.images / 16.0, digits.target
    if quick:  # 20 of each digit
        keep = np.concatenate([np.nonzero(labels == d)[0][:20] for d in range(10)])
        images, labels = images[keep], labels[keep]
    return {
        "lfw_faces": (faces, face_labels, ["face", "non-face"]),
        "digits": (images, labels, [str(d) for d in range(10)]),
    }


def frame_features(images: np.ndarray, args) -> tuple[np.ndarray, str]:
    """[N, 1280] through the app's frame extractor: each grey image enlarged to 224 x 224 RGB."""
    from PIL import Image

    from classifier.ml.encoders.extractor import FrameFeatureExtractor
    from classifier.ml.encoders.frames import lite0_config

    extractor = FrameFeatureExtractor(lite0_config(), backend=args.backend, onnx_cache_dir=Path(args.onnx_dir))
    frames = np.stack(
        [
            np.asarray(Image.fromarray((img * 255).clip(0, 255).astype(np.uint8)).resize((224, 224), Image.BICUBIC))
            for img in images
        ]
    )
    return extractor.extract(np.repeat(frames[..., None], 3, axis=-1)), extractor.backbone_id


def _few_shot_split(labels: np.ndarray, shots: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    train = np.concatenate([rng.permutation(np.nonzero(labels == c)[0])[:shots] for c in np.unique(labels)])
    test = np.setdiff1d(np.arange(len(labels)), train)
    return np.sort(train), test


def _centroid(x_train, y_train, x_test) -> np.ndarray:
    classes = np.unique(y_train)
    centroids = np.stack([x_train[y_train == c].mean(0) for c in classes])
    return classes[((x_test[:, None] - centroids[None]) ** 2).sum(-1).argmin(1)]


def _logreg(x_train, y_train, x_test) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x_train)
    clf = LogisticRegression(max_iter=2000).fit(scaler.transform(x_train), y_train)
    return clf.predict(scaler.transform(x_test))


def _prototypes(f_train, y_train, f_test) -> np.ndarray:
    from classifier.ml.prototypes import PrototypeClassifier

    classes = np.unique(y_train)
    clf = PrototypeClassifier.fit({str(c): torch.from_numpy(f_train[y_train == c]) for c in classes})
    return np.array([int(p[0][0]) for p in clf.predict(torch.from_numpy(f_test))])


def _trained(f_train, y_train, f_test, names: list[str], args, seed: int) -> np.ndarray:
    space = LabelSpace([{"code": n, "parent_code": None, "level": 1} for n in names], "real")
    codes = [names[c] for c in y_train]
    data = ClipFeatures.from_clips([{"frames": f[None]} for f in f_train], space.targets_tensor(codes))
    model, _ = train_model(data, None, space, ("frames",), args, seed)
    logits, _ = predict(model, ClipFeatures.from_clips([{"frames": f[None]} for f in f_test]))
    index = space.path_log_probs(logits).argmax(1).numpy()
    return np.array([names.index(space.leaf_paths[i][-1]) for i in index])


def real_section(args) -> dict:
    started = time.perf_counter()
    section: dict = {"seeds": args.seeds, "shots": list(args.shots)}
    for name, (images, labels, names) in real_datasets(args.quick).items():
        t = time.perf_counter()
        features, backbone = frame_features(images, args)
        pixels = images.reshape(len(images), -1)
        print(f"real {name}: {len(images)} images, {len(names)} classes; features in {time.perf_counter() - t:.0f} s")
        entry = {"images": len(images), "classes": len(names), "backbone": backbone}
        for shots in args.shots:
            runs: dict[str, list[tuple[int, int]]] = {}
            for seed in range(args.seeds):
                train, test = _few_shot_split(labels, shots, seed)
                y_train, y_test = labels[train], labels[test]
                predictions = {
                    "prototype": _prototypes(features[train], y_train, features[test]),
                    "trained": _trained(features[train], y_train, features[test], names, args, seed),
                    "pixels_centroid": _centroid(pixels[train], y_train, pixels[test]),
                    "pixels_logreg": _logreg(pixels[train], y_train, pixels[test]),
                }
                for method, predicted in predictions.items():
                    runs.setdefault(method, []).append((int((predicted == y_test).sum()), len(test)))
            entry[str(shots)] = {method: _summary(r) for method, r in runs.items()}
        section[name] = entry
    section["interval"] = "mean accuracy over seeds; low/high: Wilson 95% of the pooled test predictions"
    section["seconds"] = time.perf_counter() - started
    return section


def _summary(runs: list[tuple[int, int]]) -> dict:
    accs = [s / n for s, n in runs]
    low, high = wilson_interval(sum(s for s, _ in runs), sum(n for _, n in runs))
    return {"mean": float(np.mean(accs)), "low": low, "high": high, "per_seed": accs, "n_test": runs[0][1]}


# -- report -------------------------------------------------------------------------------------------


def _num(value) -> str:
    return "-" if value is None else f"{value:.3f}"


def _ci(value: float, ci) -> str:
    return f"{value:.3f} [{ci[0]:.3f}, {ci[1]:.3f}]"


def print_report(report: dict) -> None:
    world, ablation, real = report.get("world"), report.get("ablation"), report.get("real")
    if world:
        print("\nworld (test split)                        value")
        rows = [
            ("hit@1 (calibrated) [95% Wilson]", _ci(world["hit1"], world["hit1_ci"])),
            ("hit@1 uncalibrated", f"{world['hit1_uncalibrated']:.3f}"),
            ("GAP@20", f"{world['gap20']:.3f}"),
            ("accuracy per level", " / ".join(f"{a:.3f}" for a in world["level_acc"])),
            ("hierarchical F1", f"{world['hierarchical_f1']:.3f}"),
            ("ECE calibrated [bootstrap 95%]", f"{_ci(world['ece'], world['ece_ci'])}"),
            ("ECE uncalibrated", f"{world['ece_uncalibrated']:.3f}"),
            ("ECE of a calibrated model at this n", f"{world['ece_floor']:.3f} (what the test size alone adds)"),
            ("n test / validation / train", f"{world['n_test']} / {world['n_val']} / {world['n_train']}"),
            ("nearest centroid frames/text/audio", " / ".join(f"{v:.3f}" for v in world["centroid_baseline"].values())),
        ]  # fmt: skip
        open_set = world["open_set"]
        for method in METHODS:
            leaf = open_set["leave_one_leaf_out"]["by_method"].get(method)
            top = open_set["leave_one_top_level_out"]["by_method"].get(method)
            far = open_set["world_out_of_set"].get(method, {})
            cells = [f"leave-one-leaf-out {_num(leaf)}", f"top level {_num(top)}"]
            if far:
                cells.append(
                    f"world out-of-set {far['auroc']:.3f} (rejects {far['out_of_set_rejected']:.2f} of them, "
                    f"{far['in_set_rejected']:.2f} of in-set)"
                )
            rows.append((f"open-set AUROC {method}", "; ".join(cells)))
        pre = world["preselect"]
        precision = "-" if pre["in_set_precision"] is None else f"{pre['in_set_precision']:.3f}"
        rows.append(
            (
                "preselect (max_prob)",
                f"from {pre['min_confidence']:.3f}: {pre['in_set_share']:.2f} of in-set (precision {precision}), "
                f"{(pre['out_of_set_share'] or 0):.2f} of out-of-set",
            )
        )
        for label, value in rows:
            print(f"  {label:40s}{value}")
    if ablation:
        print("\nablation (test hit@1, one modality)       value")
        for name, entry in ablation.items():
            print(f"  {name:40s}{_ci(entry['hit1'], entry['hit1_ci'])}  n={entry['n']}")
    if real:
        print("\nreal (few-shot accuracy, mean over seeds [pooled Wilson 95%])")
        for name in ("lfw_faces", "digits"):
            if name not in real:
                continue
            for shots in real["shots"]:
                entry = real[name][str(shots)]
                cells = "  ".join(f"{m} {_ci(e['mean'], (e['low'], e['high']))}" for m, e in entry.items())
                print(f"  {name} {shots}/class: {cells}")
    if "targets" in report:
        print("\ntargets: " + ", ".join(f"{k} {'met' if v else 'NOT met'}" for k, v in report["targets"].items()))
    print(f"total {report['seconds']:.0f} s; shared 2-core machine, figures of one run")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the figures as one JSON object here")
    parser.add_argument("--quick", action="store_true", help="a small world, one held-out leaf, one seed (smoke run)")
    parser.add_argument("--model", default="nextvlad_moe_small", help="registered model (the app's default)")
    parser.add_argument("--epochs", type=int, default=30, help="at most (early stopping on validation)")
    parser.add_argument("--clips-per-leaf", type=int, default=0, help="world size (0: the WorldConfig default)")
    parser.add_argument("--train-per-leaf", type=int, default=15, help="training clips per leaf")
    parser.add_argument("--val-per-leaf", type=int, default=5, help="validation clips per leaf; the rest test")
    parser.add_argument("--held-out", type=int, default=3, help="leaves left out, one model each, for open set")
    parser.add_argument("--held-out-top", type=int, default=2, help="top-level categories left out, likewise")
    parser.add_argument("--seeds", type=int, default=3, help="few-shot draws per real dataset and shot count")
    parser.add_argument("--shots", type=int, nargs="+", default=[5, 20])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--backend", default="onnx-int8", help="frame backend (the app's CPU default)")
    parser.add_argument("--onnx-dir", default=str(ROOT / "var" / "onnx"), help="where exported ONNX files are kept")
    parser.add_argument("--skip-world", action="store_true")
    parser.add_argument("--skip-real", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.held_out, args.held_out_top, args.seeds, args.shots = 1, 1, 1, [5]
        args.train_per_leaf, args.val_per_leaf = 10, 4
        args.epochs = min(args.epochs, 8)
    started = time.perf_counter()
    report: dict = {}
    if not args.skip_world:
        report["world"], report["ablation"] = world_section(args)
        world, ablation = report["world"], report["ablation"]
        report["targets"] = {
            "ECE <= 0.05": world["ece"] <= 0.05,
            "open-set AUROC >= 0.85 (leave-one-leaf-out)": (world["open_set_auroc"] or 0) >= 0.85,
            "open-set AUROC >= 0.85 (leave-one-top-level-out)": max(
                (v or 0) for v in world["open_set"]["leave_one_top_level_out"]["by_method"].values()
            )
            >= 0.85,
            "each modality alone below all": all(
                ablation[m]["hit1"] < ablation["all"]["hit1"] for m in ("frames", "text", "audio")
            ),
        }
    if not args.skip_real:
        report["real"] = real_section(args)
    report["seconds"] = time.perf_counter() - started
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(_plain(report), indent=2, sort_keys=True) + "\n")
        print(f"wrote {args.json}")
    return report


def _plain(value):
    """JSON-safe: numpy scalars and arrays to Python, nan to None."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


if __name__ == "__main__":
    main()
