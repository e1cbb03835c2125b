"""WS-DAN attention cropping and dropping."""

from __future__ import annotations

import numpy as np
import skimage.data
import torch

from classifier.ml.augment import (
    WSDANAugment,
    attention_candidates,
    attention_crop,
    attention_drop,
    normalize_attention,
    sample_attention,
)
from classifier.ml.encoders.frames import create_frame_backbone, lite0_config, preprocess_frames


def _blob_map(peaks: list[tuple[int, int]], channels: int = 4, size: int = 7) -> torch.Tensor:
    """Feature maps whose every channel is a Gaussian bump at the image's peak."""
    yy, xx = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
    maps = [torch.exp(-((yy - y) ** 2 + (xx - x) ** 2) / 2.0) for y, x in peaks]
    return torch.stack(maps)[:, None].repeat(1, channels, 1, 1).float()


def _images(n: int) -> torch.Tensor:
    return torch.randn(n, 3, 224, 224, generator=torch.Generator().manual_seed(1))


def _peak(attention: torch.Tensor) -> tuple[int, int]:
    flat = int(attention.argmax())
    return flat // attention.shape[-1], flat % attention.shape[-1]


def test_shapes():
    out = WSDANAugment()(_images(3), torch.rand(3, 1280, 7, 7), torch.Generator().manual_seed(0))
    assert out.cropped.shape == out.dropped.shape == (3, 3, 224, 224)
    assert out.attention.shape == out.drop_masks.shape == (3, 224, 224)
    assert out.crop_boxes.shape == (3, 4) and out.crop_boxes.dtype == torch.long
    assert float(out.attention.max()) == 1.0 and float(out.attention.min()) >= 0.0


def test_dropped_region_is_the_most_attended():
    images = _images(2)
    out = WSDANAugment(drop_theta=0.5)(images, _blob_map([(1, 5), (5, 1)]), torch.Generator().manual_seed(0))
    for i in range(2):
        mask, att = out.drop_masks[i], out.attention[i]
        assert 0 < int(mask.sum()) < mask.numel() // 2
        assert float(att[mask].min()) > float(att[~mask].max())  # every dropped pixel beats every kept one
        assert mask[_peak(att)]
        assert torch.all(out.dropped[i][:, mask] == 0)
        assert torch.equal(out.dropped[i][:, ~mask], images[i][:, ~mask])
    # the two images have their peaks in opposite corners: top-right vs bottom-left
    assert out.drop_masks[0, :50, -50:].any() and not out.drop_masks[0, -50:, :50].any()
    assert out.drop_masks[1, -50:, :50].any() and not out.drop_masks[1, :50, -50:].any()


def test_crop_box_contains_the_attention_peak_and_zooms_back():
    images = _images(2)
    out = WSDANAugment(crop_theta=0.5)(images, _blob_map([(1, 5), (4, 3)]), torch.Generator().manual_seed(0))
    for i in range(2):
        top, left, bottom, right = out.crop_boxes[i].tolist()
        y, x = _peak(out.attention[i])
        assert top <= y < bottom and left <= x < right
        assert (bottom - top) * (right - left) < 224 * 224 // 2  # a real zoom, not the whole frame
        patch = images[i : i + 1, :, top:bottom, left:right]
        expected = torch.nn.functional.interpolate(
            patch, size=(224, 224), mode="bilinear", align_corners=False
        )
        torch.testing.assert_close(out.cropped[i : i + 1], expected)


def test_crop_box_is_the_thresholded_region_plus_margin():
    att = torch.zeros(1, 100, 100)
    att[0, 40:60, 20:30] = 1.0
    _, boxes = attention_crop(torch.zeros(1, 3, 100, 100), att, theta=0.5, padding_ratio=0.1)
    assert boxes[0].tolist() == [30, 10, 70, 40]


def test_deterministic_under_a_seeded_generator():
    images, fmap = _images(4), torch.rand(4, 64, 7, 7) ** 4
    augment = WSDANAugment()
    a = augment(images, fmap, torch.Generator().manual_seed(7))
    b = augment(images, fmap, torch.Generator().manual_seed(7))
    for field in ("cropped", "dropped", "attention", "crop_boxes", "drop_masks"):
        assert torch.equal(getattr(a, field), getattr(b, field))
    others = [augment(images, fmap, torch.Generator().manual_seed(s)) for s in range(1, 4)]
    assert any(not torch.equal(a.drop_masks, o.drop_masks) for o in others)


def test_attention_map_is_drawn_in_proportion_to_its_mass():
    strong, weak = torch.zeros(7, 7), torch.zeros(7, 7)
    strong[1, 1], weak[5, 5] = 100.0, 1.0
    candidates = torch.stack([weak, strong])[None].repeat(400, 1, 1, 1)
    chosen = sample_attention(candidates, torch.Generator().manual_seed(0))
    share_strong = float((chosen[:, 1, 1] > 0).float().mean())
    assert 0.8 < share_strong < 0.97  # sqrt weights: 10 vs 1 -> about 0.91


def test_candidates_are_the_most_active_channels():
    fmap = torch.zeros(1, 5, 3, 3)
    fmap[0, 3] = 2.0
    fmap[0, 1] = 1.0
    fmap[0, 4] = -9.0  # negative activations carry no attention
    cands = attention_candidates(fmap, num_maps=2)
    assert cands.shape == (1, 2, 3, 3)
    assert torch.equal(cands[0, 0], fmap[0, 3]) and torch.equal(cands[0, 1], fmap[0, 1])


def test_zero_attention_drops_nothing_and_keeps_the_whole_frame():
    images = _images(1)
    att = normalize_attention(torch.zeros(1, 7, 7), (224, 224))
    dropped, mask = attention_drop(images, att, theta=0.3)
    crops, boxes = attention_crop(images, att, theta=0.5)
    assert not mask.any() and torch.equal(dropped, images)
    assert boxes[0].tolist() == [0, 0, 224, 224]
    torch.testing.assert_close(crops, images)


def test_from_real_backbone_feature_map():
    config = lite0_config()
    backbone = create_frame_backbone(config)
    frames = np.stack([skimage.data.chelsea(), skimage.data.chelsea()[:, ::-1]])
    images = preprocess_frames(frames, config)
    out = WSDANAugment().from_backbone(backbone, images, torch.Generator().manual_seed(0))
    assert out.cropped.shape == images.shape
    assert out.drop_masks.any(dim=(1, 2)).all()
    for i in range(2):
        top, left, bottom, right = out.crop_boxes[i].tolist()
        y, x = _peak(out.attention[i])
        assert top <= y < bottom and left <= x < right
