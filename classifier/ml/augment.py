"""Attention-guided data augmentation from WS-DAN (Hu et al., 2019, "See Better Before Looking Closer").

Attention maps are channels of the backbone's last feature map. For each image one map is drawn at
random with probability proportional to its (square-rooted) mass, as in the reference WS-DAN code, then
upsampled to the image size and divided by its maximum. From it:

- attention dropping erases the region where the normalised attention exceeds ``theta_d`` (so the
  network has to find other discriminative parts);
- attention cropping crops the bounding box of the region where it exceeds ``theta_c`` (plus a margin)
  and zooms it back to the input size (so the network looks closer).

Everything works on batches of preprocessed frames ``[N, 3, H, W]``; randomness comes only from the
``torch.Generator`` passed in, so results are reproducible under a seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from classifier.ml.encoders.frames import FrameBackbone

_EPS = 1e-12
Threshold = float | tuple[float, float]


def attention_candidates(feature_map: torch.Tensor, num_maps: int = 32) -> torch.Tensor:
    """The ``num_maps`` most active channels of each image's feature map, as attention candidates.

    Args:
        feature_map: ``[N, C, h, w]`` backbone output.
        num_maps: candidates per image (WS-DAN uses 32 learned maps; we take the strongest channels).

    Returns:
        Non-negative maps ``[N, M, h, w]`` with ``M = min(num_maps, C)``.
    """
    maps = feature_map.detach().float().relu()
    m = min(num_maps, maps.shape[1])
    top = maps.sum(dim=(2, 3)).topk(m, dim=1).indices
    return torch.gather(maps, 1, top[:, :, None, None].expand(-1, -1, *maps.shape[2:]))


def sample_attention(candidates: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """Pick one candidate map per image, with probability proportional to ``sqrt(mass)``.

    Args:
        candidates: ``[N, M, h, w]`` non-negative maps.
        generator: CPU generator for the draw.

    Returns:
        ``[N, h, w]`` chosen maps.
    """
    weights = candidates.sum(dim=(2, 3)).clamp_min(0).sqrt().cpu() + _EPS
    index = torch.multinomial(weights, 1, generator=generator).squeeze(1).to(candidates.device)
    return candidates[torch.arange(len(candidates), device=candidates.device), index]


def normalize_attention(attention: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Upsample maps ``[N, h, w]`` bilinearly to ``size`` and scale each to a maximum of 1.

    An all-zero map stays all zero (nothing is dropped, the crop is the whole image).
    """
    up = F.interpolate(attention[:, None].float(), size=size, mode="bilinear", align_corners=False)[:, 0]
    up = up.clamp_min(0)
    return up / up.amax(dim=(1, 2), keepdim=True).clamp_min(_EPS)


def _thresholds(theta: Threshold, n: int, generator: torch.Generator | None, device: torch.device) -> torch.Tensor:
    if isinstance(theta, tuple):
        low, high = theta
        return (low + (high - low) * torch.rand(n, generator=generator)).to(device)
    return torch.full((n,), float(theta), device=device)


def attention_drop(
    images: torch.Tensor,
    attention: torch.Tensor,
    theta: Threshold = (0.2, 0.5),
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Erase the most attended region of each image.

    Args:
        images: preprocessed frames ``[N, 3, H, W]`` (erased pixels become 0, the normalisation mean).
        attention: normalised maps ``[N, H, W]`` in [0, 1] (see :func:`normalize_attention`).
        theta: threshold, or a ``(low, high)`` range drawn uniformly per image.
        generator: CPU generator for the thresholds.

    Returns:
        ``(dropped_images, drop_mask)``, the mask ``[N, H, W]`` bool, True where erased.
    """
    t = _thresholds(theta, len(images), generator, images.device)
    mask = attention > t[:, None, None]
    return images * (~mask)[:, None].to(images.dtype), mask


def attention_crop(
    images: torch.Tensor,
    attention: torch.Tensor,
    theta: Threshold = (0.4, 0.6),
    generator: torch.Generator | None = None,
    padding_ratio: float = 0.1,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Crop each image to the box around its attended region and zoom it back to full size.

    Args:
        images: preprocessed frames ``[N, 3, H, W]``.
        attention: normalised maps ``[N, H, W]`` in [0, 1].
        theta: threshold, or a ``(low, high)`` range drawn uniformly per image.
        generator: CPU generator for the thresholds.
        padding_ratio: margin added on each side, as a fraction of the image side.

    Returns:
        ``(crops [N, 3, H, W], boxes [N, 4])``, boxes as integer ``(top, left, bottom, right)``,
        bottom/right exclusive.
    """
    n, _, h, w = images.shape
    t = _thresholds(theta, n, generator, images.device)
    mask = attention >= t[:, None, None]
    pad_h, pad_w = int(padding_ratio * h), int(padding_ratio * w)
    crops, boxes = [], []
    for i in range(n):
        rows = mask[i].any(dim=1).nonzero()
        cols = mask[i].any(dim=0).nonzero()
        if len(rows) == 0:
            top, left, bottom, right = 0, 0, h, w
        else:
            top, bottom = max(int(rows[0]) - pad_h, 0), min(int(rows[-1]) + 1 + pad_h, h)
            left, right = max(int(cols[0]) - pad_w, 0), min(int(cols[-1]) + 1 + pad_w, w)
        patch = images[i : i + 1, :, top:bottom, left:right]
        crops.append(F.interpolate(patch, size=(h, w), mode="bilinear", align_corners=False))
        boxes.append((top, left, bottom, right))
    return torch.cat(crops), torch.tensor(boxes, dtype=torch.long)


@dataclass(frozen=True)
class AugmentedBatch:
    """The two WS-DAN views of a batch and what produced them."""

    cropped: torch.Tensor
    dropped: torch.Tensor
    attention: torch.Tensor
    crop_boxes: torch.Tensor
    drop_masks: torch.Tensor


class WSDANAugment:
    """Attention cropping and dropping of a batch, from its backbone feature map.

    Args:
        drop_theta: erase threshold or ``(low, high)`` range (paper: 0.5; reference code: U(0.2, 0.5)).
        crop_theta: crop threshold or ``(low, high)`` range (paper: 0.5; reference code: U(0.4, 0.6)).
        num_maps: attention candidates per image.
        padding_ratio: crop margin as a fraction of the image side.
    """

    def __init__(
        self,
        drop_theta: Threshold = (0.2, 0.5),
        crop_theta: Threshold = (0.4, 0.6),
        num_maps: int = 32,
        padding_ratio: float = 0.1,
    ) -> None:
        self.drop_theta = drop_theta
        self.crop_theta = crop_theta
        self.num_maps = num_maps
        self.padding_ratio = padding_ratio

    def __call__(
        self, images: torch.Tensor, feature_map: torch.Tensor, generator: torch.Generator | None = None
    ) -> AugmentedBatch:
        """Augment a batch.

        Args:
            images: preprocessed frames ``[N, 3, H, W]``.
            feature_map: the backbone's last feature map of those frames ``[N, C, h, w]``.
            generator: CPU generator; the same seed gives the same result.

        Returns:
            The cropped and dropped views, the normalised attention ``[N, H, W]``, boxes and masks.
        """
        chosen = sample_attention(attention_candidates(feature_map, self.num_maps), generator)
        attention = normalize_attention(chosen, tuple(images.shape[-2:]))
        cropped, boxes = attention_crop(images, attention, self.crop_theta, generator, self.padding_ratio)
        dropped, masks = attention_drop(images, attention, self.drop_theta, generator)
        return AugmentedBatch(cropped, dropped, attention, boxes, masks)

    @torch.no_grad()
    def from_backbone(
        self, backbone: FrameBackbone, images: torch.Tensor, generator: torch.Generator | None = None
    ) -> AugmentedBatch:
        """Augment a batch using attention from ``backbone.feature_map`` (computed without gradients).

        Args:
            backbone: frame backbone (on the images' device).
            images: preprocessed frames ``[N, 3, H, W]``.
            generator: CPU generator.

        Returns:
            See :meth:`__call__`.
        """
        return self(images, backbone.feature_map(images), generator)
