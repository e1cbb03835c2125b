"""Training on generated clips whose three modalities each carry one bit of the leaf category."""

import math

import pytest
import torch

from classifier.ml.config import ContrastiveConfig, TrainConfig
from classifier.ml.contrastive import augment_view, pretrain_contrastive
from classifier.ml.labels import LabelSpace
from classifier.ml.registry import create_model
from classifier.ml.train import (
    ClipFeatures,
    TrainingCancelled,
    evaluate,
    model_device,
    predict,
    sampling_weights,
    seed_everything,
    train_supervised,
)

FRAME_DIM, TEXT_DIM = 32, 16
CONFIG = TrainConfig(epochs=4, batch_size=32, lr=3e-3, balance="none", patience=10, seed=0, val_fraction=0.0,
                     log_every=4)
AUDIO_STEPS = 25  # shorter than the real 100 steps per chunk to keep the test fast; the CNN pools over time


def taxonomy() -> LabelSpace:
    rows = []
    for a in "AB":
        rows.append({"code": a, "parent_code": None, "level": 1})
        for b in "01":
            rows.append({"code": a + b, "parent_code": a, "level": 2})
            for c in "xy":
                rows.append({"code": a + b + c, "parent_code": a + b, "level": 3})
    return LabelSpace(rows, "1.0")


def make_clips(space: LabelSpace, n: int, seed: int) -> ClipFeatures:
    """Frames tell level 1 (A/B), text tells the level-2 bit (0/1), audio the level-3 bit (x/y)."""
    g = torch.Generator().manual_seed(seed)
    protos = torch.Generator().manual_seed(1234)
    frame_proto, text_proto = torch.randn(2, FRAME_DIM, generator=protos), torch.randn(2, TEXT_DIM, generator=protos)
    band = torch.zeros(2, 64)
    band[0, 5:15], band[1, 40:50] = 2.0, 2.0
    leaves = [p[-1] for p in space.leaf_paths]
    codes = [leaves[i] for i in torch.randint(0, len(leaves), (n,), generator=g)]
    b1, b2, b3 = (torch.tensor([c[i] == v for c in codes]).long() for i, v in ((0, "B"), (1, "1"), (2, "y")))
    frames_mask = torch.ones(n, 6, dtype=torch.bool)
    frames_mask[:, 4:] = torch.rand(n, 2, generator=g) > 0.5  # variable lengths
    tensors = {
        "frames": torch.randn(n, 6, FRAME_DIM, generator=g) + frame_proto[b1][:, None],
        "frames_mask": frames_mask,
        "text": torch.randn(n, 2, TEXT_DIM, generator=g) + text_proto[b2][:, None],
        "text_mask": torch.ones(n, 2, dtype=torch.bool),
        "audio": torch.randn(n, 2, 64, AUDIO_STEPS, generator=g) + band[b3][:, None, :, None],
        "audio_mask": torch.ones(n, 2, dtype=torch.bool),
    }
    return ClipFeatures(tensors, space.targets_tensor(codes))


@pytest.fixture(scope="module")
def data():
    space = taxonomy()
    return space, make_clips(space, 256, 0), make_clips(space, 128, 1)


def fit(space, train, val, modalities=("frames", "text", "audio"), config=CONFIG, **kwargs):
    seed_everything(0)
    model = create_model("nextvlad_moe_tiny", num_classes=space.num_classes, modalities=modalities,
                         frame_dim=FRAME_DIM, text_dim=TEXT_DIM)
    result = train_supervised(model, train, space, config, val_data=val, **kwargs)
    return model, result


def test_learns_every_modality_deterministically_and_ablation_hurts(data):
    space, train, val = data
    events = []
    model, result = fit(space, train, val, progress=events.append)
    chance = 1 / len(space.leaf_paths)
    assert result.val_metrics["hit_at_1"] > 0.8 > 6 * chance
    assert result.val_metrics["accuracy_level1"] > 0.95
    assert {"train", "validate", "done"} <= {e.stage for e in events}
    assert [e.epoch for e in events if e.stage == "validate"] == [1, 2, 3, 4]

    _, again = fit(space, train, val)
    assert again.val_metrics == result.val_metrics  # same seed, same numbers

    _, no_audio = fit(space, train, val, modalities=("frames", "text"))
    # without audio the level-3 bit is a coin flip: path accuracy about halves
    assert no_audio.val_metrics["hit_at_1"] < result.val_metrics["hit_at_1"] - 0.25
    assert no_audio.val_metrics["accuracy_level2"] > 0.9  # what the other modalities tell is still learnt

    metrics = evaluate(model, val, space, report=True)
    assert metrics["hit_at_1"] == pytest.approx(result.val_metrics["hit_at_1"])
    assert len(metrics["per_category"]) == len(space.leaf_paths)
    assert 0.0 <= metrics["ece"] <= 1.0 and metrics["hierarchical_f1"] >= metrics["hit_at_1"]


def test_cancel_stops_training(data):
    space, train, val = data
    calls = []

    def should_cancel():
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(TrainingCancelled):
        fit(space, train, val, should_cancel=should_cancel)
    assert len(calls) == 4


def test_early_stopping_restores_best_epoch(data):
    space, train, val = data
    config = TrainConfig(epochs=6, batch_size=64, lr=0.3, balance="none", patience=1, seed=0, val_fraction=0.0,
                         max_steps_per_epoch=2, schedule="constant")
    model, result = fit(space, train, val, modalities=("text",), config=config)
    losses = [h["val_loss"] for h in result.history]
    assert result.best_epoch == 1 + losses.index(min(losses))
    assert result.stopped_early == (result.epochs_run < 6)
    assert evaluate(model, val, space)["loss"] == pytest.approx(min(losses), rel=1e-5)


def test_class_balanced_sampling_weights():
    targets = torch.tensor([[0, 0], [0, 0], [0, 0], [0, 1], [1, -1], [-1, -1]])
    full = sampling_weights(targets, "full")
    assert full[:3].tolist() == pytest.approx([1 / 3] * 3) and full[3] == 1.0 and full[4] == 1.0
    assert full[5] == 0.0  # unlabelled clips are not drawn
    assert sampling_weights(targets, "sqrt")[0] == pytest.approx(1 / math.sqrt(3))


def test_from_clips_pads_and_masks():
    clips = [{"frames": torch.ones(3, 4), "text": None}, {"frames": torch.ones(5, 4), "text": torch.ones(1, 2)},
             {"frames": torch.zeros(0, 4)}]
    feats = ClipFeatures.from_clips(clips, max_steps={"frames": 4})
    assert feats.tensors["frames"].shape == (3, 4, 4) and "audio" not in feats.tensors
    assert feats.tensors["frames_mask"].sum(1).tolist() == [3, 4, 0]
    assert feats.tensors["text_mask"].sum(1).tolist() == [0, 1, 0]


def test_contrastive_views_and_pretraining(data):
    space, train, _ = data
    batch = train.batch(torch.arange(16))
    view = augment_view(batch, torch.Generator().manual_seed(0), crop_min=0.5, drop_prob=0.5)
    for name in ("frames", "text", "audio"):
        mask = view[f"{name}_mask"]
        assert not (mask & ~batch[f"{name}_mask"]).any()  # only ever removes steps
        assert mask.any(dim=1).all()  # never empties a clip
    assert not torch.equal(view["frames"], batch["frames"])

    seed_everything(0)
    model = create_model("nextvlad_moe_tiny", num_classes=space.num_classes, modalities=("frames", "text"),
                         frame_dim=FRAME_DIM, text_dim=TEXT_DIM)
    head_before = model.heads["level1"].gate.weight.clone()
    config = ContrastiveConfig(epochs=3, batch_size=32, queue_size=64, lr=3e-3, temperature=0.2, momentum=0.9,
                               max_steps_per_epoch=4)
    gap_before = view_alignment(model, train)
    result = pretrain_contrastive(model, train, config)
    assert result.steps == 12 and len(result.epoch_losses) == 3
    assert max(result.epoch_losses) < math.log(config.queue_size + 1)  # better than chance InfoNCE
    # two views of one clip end up closer than views of different clips, more so than before
    gap_after = view_alignment(model, train)
    assert gap_after > gap_before + 0.05 and gap_after > 0.1
    assert torch.equal(model.heads["level1"].gate.weight, head_before)


@torch.no_grad()
def view_alignment(model, data):
    """Mean cosine of two views of the same clip minus mean cosine of views of different clips."""
    batch = data.batch(torch.arange(64))
    gen = torch.Generator().manual_seed(7)
    model.eval()
    a = torch.nn.functional.normalize(model.forward_features(augment_view(batch, gen)), dim=1)
    b = torch.nn.functional.normalize(model.forward_features(augment_view(batch, gen)), dim=1)
    model.train()
    sims = a @ b.T
    off_diagonal = sims[~torch.eye(64, dtype=torch.bool)]
    return float(sims.diag().mean() - off_diagonal.mean())


def test_bf16_autocast_training_runs(data):
    space, train, val = data
    config = TrainConfig(epochs=2, batch_size=32, lr=3e-3, balance="none", seed=0, val_fraction=0.0,
                         max_steps_per_epoch=3, precision="bf16")
    model, result = fit(space, train, val, config=config)  # every modality: the audio CNN runs in bf16 too
    assert all(math.isfinite(h["train_loss"]) for h in result.history)
    assert next(model.parameters()).dtype == torch.float32  # weights stay fp32


def test_auto_precision():
    from classifier.ml.train import resolve_precision

    assert resolve_precision("fp32", torch.device("cuda")) == "fp32"
    assert resolve_precision("bf16", torch.device("cpu")) == "bf16"
    assert resolve_precision("auto", torch.device("cuda")) == "bf16"
    fast = torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported()
    assert resolve_precision("auto", torch.device("cpu")) == ("bf16" if fast else "fp32")


def tiny_model(space, modalities=("frames", "text")):
    seed_everything(0)
    return create_model("nextvlad_moe_tiny", num_classes=space.num_classes, modalities=modalities,
                        frame_dim=FRAME_DIM, text_dim=TEXT_DIM)


def test_predict_returns_cpu_tensors_and_leaves_the_model_where_it_was(data):
    space, _, val = data
    model = tiny_model(space).train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    logits, emb = predict(model, val, batch_size=50, device=torch.device("cpu"))
    assert emb.device.type == "cpu" and all(v.device.type == "cpu" for v in logits.values())
    assert emb.shape == (len(val), model.embed_dim) and logits["level3"].shape == (len(val), space.num_classes[2])
    assert model.training and model_device(model) == torch.device("cpu")  # mode and device restored
    assert all(torch.equal(v, before[k]) for k, v in model.state_dict().items())  # eval mode: BN untouched
    assert model_device(torch.nn.Identity()) == torch.device("cpu")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device to put model and batches apart")
def test_evaluate_runs_the_model_on_the_device_of_the_batches(data):
    space, _, val = data
    model = tiny_model(space).eval()
    on_cpu = evaluate(model, val, space, device="cpu")
    # the CPU-loaded active model evaluated by a CUDA worker: moved for the call, then moved back
    on_gpu = evaluate(model, val, space, device="cuda")
    assert model_device(model).type == "cpu"
    assert on_gpu["loss"] == pytest.approx(on_cpu["loss"], rel=1e-3)
    assert on_gpu["hit_at_1"] == pytest.approx(on_cpu["hit_at_1"], abs=2 / len(val))
    # and the other way round: a model on the GPU evaluated with CPU batches stays on the GPU
    model.cuda()
    again = evaluate(model, val, space, device="cpu")
    assert model_device(model).type == "cuda"
    assert again["loss"] == pytest.approx(on_cpu["loss"], rel=1e-3)
