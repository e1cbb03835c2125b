"""The media pipeline, free of Django: probe a video, sample frames, resample audio, make thumbnails.

Everything here takes paths or file objects and plain options, so it runs the same in a Celery worker,
a benchmark or a test. `pipeline.process_video` is the one entry point the services call.
"""

from .errors import MediaError, MediaErrorCode
from .pipeline import MediaOptions, MediaResult, process_video
from .probe import ProbeInfo, probe_video

__all__ = ["MediaError", "MediaErrorCode", "MediaOptions", "MediaResult", "ProbeInfo", "probe_video", "process_video"]
