"""Uploaded media and its limits."""

from config.env import env_int, env_str

from .base import VAR_DIR

MEDIA_URL = "/media/"
MEDIA_ROOT = env_str("DJANGO_MEDIA_ROOT", str(VAR_DIR / "media"))

# Largest request body Django reads into memory for non-file fields; file uploads stream to disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", 20 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
