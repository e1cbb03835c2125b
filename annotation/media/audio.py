"""The audio track, resampled to mono at a fixed rate and written as it is decoded (one int16 .npy)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import av
import numpy as np


class AudioWriter:
    """Resample decoded audio frames to `rate` Hz mono int16 and stream them to disk.

    The samples go to a raw file first; `finish()` writes the .npy header and appends them, so memory
    stays flat however long the track is.
    """

    def __init__(self, path: Path, rate: int = 16000):
        self.path = Path(path)
        self.rate = rate
        self._raw_path = self.path.with_suffix(".raw")
        self._raw = open(self._raw_path, "wb")  # noqa: SIM115 - closed in finish()
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
        self.samples = 0
        self.seconds = 0.0

    def feed(self, frame: av.AudioFrame | None) -> None:
        """One decoded frame, or None to flush the resampler."""
        started = time.perf_counter()
        for out in self._resampler.resample(frame):
            data = out.to_ndarray().reshape(-1).astype("<i2", copy=False)
            self._raw.write(data.tobytes())
            self.samples += data.size
        self.seconds += time.perf_counter() - started

    def finish(self) -> Path | None:
        """Write the .npy file; None (and nothing on disk) when no sample was decoded."""
        self.feed(None)
        self._raw.close()
        if not self.samples:
            self._raw_path.unlink(missing_ok=True)
            return None
        with open(self.path, "wb") as out, open(self._raw_path, "rb") as raw:
            header = {"descr": "<i2", "fortran_order": False, "shape": (self.samples,)}
            np.lib.format.write_array_header_1_0(out, header)
            shutil.copyfileobj(raw, out, 1 << 20)
        self._raw_path.unlink()
        return self.path

    def close(self) -> None:
        if not self._raw.closed:
            self._raw.close()
        self._raw_path.unlink(missing_ok=True)
