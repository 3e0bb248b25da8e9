"""The media type an evidence file is served with: the uploader's declared type only when it is one of the
document types evidence is (PDF, images, spreadsheets, text, JSON, archives), else ``application/octet-stream``.

The declared type comes from whoever uploaded the file and is stored as given (it is part of the record), but a
buyer or auditor who downloads the file must not have it rendered as the uploader chose: ``text/html`` or
``image/svg+xml`` from a supplier would run script in the reader's browser on the node's origin. The routes add
``X-Content-Type-Options: nosniff`` (:data:`DOWNLOAD_HEADERS`), so browsers do not guess either.
"""

from __future__ import annotations

__all__ = ["DOWNLOAD_HEADERS", "SERVED_AS_DECLARED", "served_media_type"]

SERVED_AS_DECLARED = frozenset(
    {
        "application/pdf",
        "application/json",
        "application/zip",
        "application/gzip",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/msword",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/tiff",
        "text/csv",
        "text/plain",
    }
)
"""Types that no browser runs as script or renders as a page of the node's origin."""

DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # should a browser display the file anyway, it runs nothing and loads nothing
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


def served_media_type(declared: str) -> str:
    """``declared`` (its type and subtype, lower-cased, parameters dropped) when listed in
    :data:`SERVED_AS_DECLARED`, else ``application/octet-stream``."""
    media_type = declared.split(";", 1)[0].strip().lower()
    return media_type if media_type in SERVED_AS_DECLARED else "application/octet-stream"
