"""Read a whole NDJSON batch body before the first answer is written.

A client that sends its whole body before it reads the answer (Python's http.client, requests, httpx)
and a server that answers while it still reads block each other as soon as both sides' socket buffers
are full. So the batch body is read first: in memory up to ``TEXTWASH_BATCH_MEMORY_BYTES``, in an
unnamed temporary file past it (``TMPDIR``). A worker's memory stays bounded whatever the batch size;
the disk holds at most ``TEXTWASH_MAX_BATCH_BYTES`` per batch in flight, and the file goes when the
answer is closed.
"""
from __future__ import annotations

import tempfile
from typing import BinaryIO

from .problems import Problem

READ_STEP = 64 * 1024


def too_large(limit: int) -> Problem:
    """The 413 for a batch body over ``limit`` bytes; the connection closes (the rest is not read)."""
    return Problem(413, f"batch body is larger than the limit of {limit} bytes; split it", "body",
                   headers={"Connection": "close"})


def spool_body(stream: BinaryIO, limit: int, memory_bytes: int) -> tuple[BinaryIO, int]:
    """The whole body (rewound) and its size; a 413 ``Problem`` as soon as it goes past ``limit``.

    Reads at most ``limit + 1`` bytes, so a chunked body that never ends costs no more than the limit.
    An ``OSError`` (the client stalled past the receive timeout, or closed mid-body) propagates.
    """
    spool = tempfile.SpooledTemporaryFile(max_size=memory_bytes, prefix="textwash-batch-")
    size = 0
    try:
        while chunk := stream.read(min(READ_STEP, limit + 1 - size)):
            size += len(chunk)
            if size > limit:
                raise too_large(limit)
            spool.write(chunk)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return spool, size  # type: ignore[return-value]
