"""Serving a stored file with HTTP Range support, so an HTML5 player can seek: 206 with the asked bytes,
416 when the range cannot be satisfied, the whole file (200) otherwise. The file is streamed in chunks,
never read into memory."""

from __future__ import annotations

import mimetypes
import re

from django.http import FileResponse, HttpResponse, StreamingHttpResponse

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 256 * 1024
_TYPES = {".mkv": "video/x-matroska", ".webm": "video/webm", ".mov": "video/quicktime", ".npy": "application/x-npy"}


def content_type_for(name: str) -> str:
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    return _TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def parse_range(header: str, size: int) -> tuple[int, int] | None | bool:
    """(start, end) inclusive for a single satisfiable range; None when there is no usable Range header
    (serve everything); False when it cannot be satisfied (416)."""
    match = _RANGE.match(header.strip().replace(" ", ""))
    if not match:
        return None  # no header, a unit we do not know, or several ranges: the whole file is a valid answer
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            return False
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        return False
    return start, end


def _chunks(handle, start: int, length: int):
    try:
        handle.seek(start)
        left = length
        while left > 0:
            data = handle.read(min(CHUNK, left))
            if not data:
                break
            left -= len(data)
            yield data
    finally:
        handle.close()


def ranged_file_response(request, storage, name: str) -> HttpResponse:
    """Answer a GET/HEAD for the stored file `name`, honouring a single Range."""
    size = storage.size(name)
    content_type = content_type_for(name)
    wanted = parse_range(request.META.get("HTTP_RANGE", ""), size)
    if wanted is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    elif wanted is None:
        response = FileResponse(storage.open(name, "rb"), content_type=content_type)
        response["Content-Length"] = str(size)
    else:
        start, end = wanted
        length = end - start + 1
        response = StreamingHttpResponse(
            _chunks(storage.open(name, "rb"), start, length), status=206, content_type=content_type
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=3600"
    return response
