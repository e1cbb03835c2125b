"""Audio features and encoder: log-mel chunks of one second, and a small CNN embedding each chunk.

``log_mel`` uses ``torch.stft`` and a mel filterbank computed here (HTK mel scale, triangular
filters, VGGish-like settings: 25 ms window, 10 ms hop, 64 bands over 125-7500 Hz, log(mel + 0.01)).
``AudioCNN`` has no pretrained weights; it learns during training and contrastive pre-training.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import Tensor, nn

SAMPLE_RATE = 16_000
HOP = 160  # 10 ms
WIN = 400  # 25 ms
N_FFT = 512
N_MELS = 64
STEPS_PER_CHUNK = SAMPLE_RATE // HOP  # 100 frames per second
LOG_OFFSET = 0.01


def hz_to_mel(f: np.ndarray | float) -> np.ndarray:
    return 2595.0 * np.log10(1.0 + np.asarray(f, dtype=np.float64) / 700.0)


def mel_to_hz(m: np.ndarray) -> np.ndarray:
    return 700.0 * (10.0 ** (np.asarray(m, dtype=np.float64) / 2595.0) - 1.0)


def mel_filterbank(
    n_mels: int = N_MELS,
    n_fft: int = N_FFT,
    sample_rate: int = SAMPLE_RATE,
    fmin: float = 125.0,
    fmax: float = 7500.0,
) -> Tensor:
    """Triangular mel filters on the rfft bins.

    Args:
        n_mels: number of bands.
        n_fft: FFT size (``n_fft // 2 + 1`` bins).
        sample_rate: sampling rate in Hz.
        fmin, fmax: band edges in Hz.

    Returns:
        float32 [n_fft // 2 + 1, n_mels]; each column peaks at 1 at its centre frequency.
    """
    if not 0 <= fmin < fmax <= sample_rate / 2:
        raise ValueError(f"need 0 <= fmin < fmax <= {sample_rate / 2}")
    bin_hz = np.linspace(0.0, sample_rate / 2, n_fft // 2 + 1)
    edges_hz = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    lower, centre, upper = edges_hz[:-2, None], edges_hz[1:-1, None], edges_hz[2:, None]
    rising = (bin_hz[None, :] - lower) / (centre - lower)
    falling = (upper - bin_hz[None, :]) / (upper - centre)
    weights = np.maximum(0.0, np.minimum(rising, falling))  # [n_mels, bins]
    return torch.from_numpy(weights.T.astype(np.float32))


_FILTERBANK: Tensor | None = None


def log_mel(waveform_16k: Tensor | np.ndarray) -> Tensor:
    """Log-mel spectrogram in one-second chunks.

    Args:
        waveform_16k: mono samples at 16 kHz, [N] (or [channels, N], averaged); int16 is scaled
            to [-1, 1]. The last partial second is zero-padded.

    Returns:
        float32 [T, 64, 100] with T = ceil(N / 16000); [0, 64, 100] for an empty waveform.
    """
    global _FILTERBANK
    if isinstance(waveform_16k, np.ndarray):
        scale = 1.0 / 32768.0 if waveform_16k.dtype == np.int16 else 1.0
        wav = torch.from_numpy(np.asarray(waveform_16k, dtype=np.float32) * scale)
    else:
        scale = 1.0 / 32768.0 if waveform_16k.dtype == torch.int16 else 1.0
        wav = waveform_16k.detach().to("cpu", torch.float32) * scale
    if wav.dim() == 2:
        wav = wav.mean(dim=0)
    if wav.dim() != 1:
        raise ValueError(f"expected a [N] or [channels, N] waveform, got shape {tuple(wav.shape)}")
    chunks = math.ceil(wav.numel() / SAMPLE_RATE)
    if chunks == 0:
        return torch.zeros(0, N_MELS, STEPS_PER_CHUNK)
    wav = torch.nn.functional.pad(wav, (0, chunks * SAMPLE_RATE - wav.numel()))
    spec = torch.stft(
        wav,
        n_fft=N_FFT,
        hop_length=HOP,
        win_length=WIN,
        window=torch.hann_window(WIN),
        center=True,
        pad_mode="constant",
        return_complex=True,
    )
    magnitude = spec.abs()[:, : chunks * STEPS_PER_CHUNK]  # [bins, frames]
    if _FILTERBANK is None:
        _FILTERBANK = mel_filterbank()
    mel = torch.log(_FILTERBANK.T @ magnitude + LOG_OFFSET)  # [64, frames]
    return mel.reshape(N_MELS, chunks, STEPS_PER_CHUNK).permute(1, 0, 2).contiguous()


class AudioCNN(nn.Module):
    """Small CNN giving one embedding per one-second log-mel chunk.

    Args:
        embed_dim: output size per chunk.
        n_mels: mel bands of the input.
        channels: output channels of the conv blocks (conv3x3-BN-ReLU-maxpool2 each); the map is
            averaged over time, and the flattened channels x frequency go through a linear layer.

    Shapes:
        forward(x [N, n_mels, steps]) -> [N, embed_dim]
    """

    def __init__(self, embed_dim: int = 128, n_mels: int = N_MELS, channels: tuple[int, ...] = (16, 32, 64)) -> None:
        super().__init__()
        self.embed_dim = embed_dim
        self.input_norm = nn.BatchNorm2d(1)
        blocks: list[nn.Module] = []
        cin = 1
        for cout in channels:
            conv = nn.Conv2d(cin, cout, 3, padding=1, bias=False)
            blocks += [conv, nn.BatchNorm2d(cout), nn.ReLU(inplace=True), nn.MaxPool2d(2)]
            cin = cout
        self.features = nn.Sequential(*blocks)
        # Pool over time only: where in frequency a pattern sits matters for sound.
        self.proj = nn.Linear(cin * (n_mels // 2 ** len(channels)), embed_dim)
        self.n_mels = n_mels

    def forward(self, x: Tensor) -> Tensor:
        x = self.features(self.input_norm(x.unsqueeze(1)))  # [N, C, F', T']
        return self.proj(x.mean(dim=3).flatten(1))

    def embed_chunks(self, chunks: Tensor, mask: Tensor) -> Tensor:
        """Embed a padded batch of chunk sequences, running the CNN on valid chunks only.

        Args:
            chunks: [B, T, n_mels, steps].
            mask: bool [B, T].

        Returns:
            [B, T, embed_dim], zeros at padded chunks.
        """
        b, t = mask.shape
        out = chunks.new_zeros(b, t, self.embed_dim)
        if mask.any():
            out[mask] = self(chunks[mask]).to(out.dtype)  # bf16 under autocast
        return out
