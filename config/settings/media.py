"""Uploaded media and its limits."""

from config.env import env_bool, env_int, env_str

from .base import VAR_DIR

MEDIA_URL = "/media/"
MEDIA_ROOT = env_str("DJANGO_MEDIA_ROOT", str(VAR_DIR / "media"))

# Largest request body Django reads into memory for non-file fields; file uploads stream to disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", 20 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Clips: limits and the media pipeline (annotation.media). A file over the limits is refused before it is stored.
CLIPCAT_MAX_UPLOAD_BYTES = env_int("CLIPCAT_MAX_UPLOAD_MB", 4096) * 1024 * 1024
CLIPCAT_MAX_DURATION_SECONDS = env_int("CLIPCAT_MAX_DURATION_SECONDS", 3 * 3600)
CLIPCAT_MAX_PIXELS = env_int("CLIPCAT_MAX_PIXELS", 4096 * 2304)  # 4K (DCI) and below
CLIPCAT_VIDEO_EXTENSIONS = ("mp4", "m4v", "mov", "mkv", "webm", "avi", "mpg", "mpeg", "ts", "3gp", "ogv")
# Frames for the model: this many per second, lowered for long videos so at most CLIPCAT_MAX_FRAMES are kept.
CLIPCAT_FRAME_RATE = float(env_str("CLIPCAT_FRAME_RATE", "1.0"))
CLIPCAT_MAX_FRAMES = env_int("CLIPCAT_MAX_FRAMES", 600)
CLIPCAT_FRAME_SIZE = env_int("CLIPCAT_FRAME_SIZE", 224)
CLIPCAT_AUDIO_RATE = env_int("CLIPCAT_AUDIO_RATE", 16000)
# A worker gives up on one clip after this long; a clip still "processing" after the hard limit plus a
# margin was left behind by a worker that died, and the periodic sweeper re-queues it.
CLIPCAT_PROCESS_SOFT_TIME_LIMIT = env_int("CLIPCAT_PROCESS_SOFT_TIME_LIMIT", 30 * 60)
CLIPCAT_PROCESS_TIME_LIMIT = CLIPCAT_PROCESS_SOFT_TIME_LIMIT + 60
CLIPCAT_STUCK_AFTER_SECONDS = env_int("CLIPCAT_STUCK_AFTER_SECONDS", CLIPCAT_PROCESS_TIME_LIMIT + 5 * 60)
CLIPCAT_PROCESS_MAX_ATTEMPTS = env_int("CLIPCAT_PROCESS_MAX_ATTEMPTS", 3)
# A clip still pending this long after it was queued lost its broker message (a broker restarted without
# persistence): the stuck-clips sweep sends it again. Far above any normal queue wait, so that the
# original message (FIFO) has long been handled when the copy arrives.
CLIPCAT_PENDING_RESEND_AFTER_SECONDS = env_int("CLIPCAT_PENDING_RESEND_AFTER_SECONDS", 3600)
# Process clips in the web process instead of the media queue (management commands' --sync, tests).
CLIPCAT_PROCESS_INLINE = env_bool("CLIPCAT_PROCESS_INLINE", False)
# Production with object storage: link to the storage backend's own (signed) URLs for video and images
# instead of streaming them through Django. See README, "Clips and media".
CLIPCAT_MEDIA_FROM_STORAGE_URLS = env_bool("CLIPCAT_MEDIA_FROM_STORAGE_URLS", False)
# The demo of `make run`: clips per demo category (2/3 of them get seed labels) and clips of none of them.
# Tests make a smaller demo.
CLIPCAT_DEMO_CLIPS_PER_LEAF = env_int("CLIPCAT_DEMO_CLIPS_PER_LEAF", 23)
CLIPCAT_DEMO_OUT_OF_SET = env_int("CLIPCAT_DEMO_OUT_OF_SET", 26)
