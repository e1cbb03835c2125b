"""Log-mel front end (checked against a direct numpy computation) and the audio CNN."""

import numpy as np
import pytest
import torch

from classifier.ml.encoders.audio import AudioCNN, hz_to_mel, log_mel, mel_filterbank, mel_to_hz

SR = 16_000


def tone(freq: float, seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def band_centres() -> np.ndarray:
    return mel_to_hz(np.linspace(hz_to_mel(125.0), hz_to_mel(7500.0), 66))[1:-1]


def test_filterbank_shape_and_triangles():
    fb = mel_filterbank()
    assert fb.shape == (257, 64)
    assert (fb >= 0).all() and (fb.sum(0) > 0).all()
    peaks = fb.argmax(dim=0)
    assert (peaks[1:] >= peaks[:-1]).all()  # centres increase with the band index
    assert fb.max() <= 1.0 and fb[:, 32:].max(dim=0).values.min() > 0.5
    with pytest.raises(ValueError):
        mel_filterbank(fmax=9000.0)


def test_log_mel_shape_chunks_and_tone_band():
    mel = log_mel(tone(1000.0, 2.5))
    assert mel.shape == (3, 64, 100) and mel.dtype == torch.float32
    band = int(mel[0].mean(dim=1).argmax())
    assert abs(band_centres()[band] - 1000.0) < 60.0
    # the last chunk is half silence: its second half sits at the log floor
    assert mel[2, :, 60:].max() < mel[2, :, :40].max()
    assert torch.allclose(mel[2, :, 60:], torch.full_like(mel[2, :, 60:], np.log(0.01)), atol=1e-4)


def test_log_mel_matches_direct_numpy_stft():
    wav = np.random.default_rng(0).standard_normal(SR).astype(np.float32) * 0.1
    mel = log_mel(wav)
    padded = np.pad(wav, 256)  # centred frames
    window = np.zeros(512)
    window[56:456] = np.hanning(401)[:400]  # periodic Hann of 400, centred in the 512-point frame
    fb = mel_filterbank().numpy()
    for i in (0, 37, 99):
        magnitude = np.abs(np.fft.rfft(padded[i * 160: i * 160 + 512] * window))
        expected = np.log(fb.T @ magnitude + 0.01)
        np.testing.assert_allclose(mel[0, :, i].numpy(), expected, rtol=1e-4, atol=1e-4)


def test_log_mel_input_forms():
    wav = (np.random.default_rng(1).uniform(-0.5, 0.5, SR)).astype(np.float32)  # wideband: no quantisation floor
    as_int16 = np.round(wav * 32768).astype(np.int16)
    torch.testing.assert_close(log_mel(as_int16), log_mel(wav), atol=1e-3, rtol=1e-3)
    torch.testing.assert_close(log_mel(np.stack([wav, wav])), log_mel(torch.from_numpy(wav)))
    assert log_mel(np.zeros(0, dtype=np.float32)).shape == (0, 64, 100)
    assert log_mel(np.zeros(10, dtype=np.float32)).shape == (1, 64, 100)
    with pytest.raises(ValueError):
        log_mel(np.zeros((2, 2, 2), dtype=np.float32))


def test_audio_cnn_embeds_valid_chunks_only():
    torch.manual_seed(0)
    cnn = AudioCNN(embed_dim=12, channels=(4, 8)).eval()
    chunks = torch.randn(2, 3, 64, 100)
    mask = torch.tensor([[True, True, False], [False, False, False]])
    out = cnn.embed_chunks(chunks, mask)
    assert out.shape == (2, 3, 12)
    assert torch.count_nonzero(out[0, 2]) == 0 and torch.count_nonzero(out[1]) == 0
    torch.testing.assert_close(out[0, :2], cnn(chunks[0, :2]))
