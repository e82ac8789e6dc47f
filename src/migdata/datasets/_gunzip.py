"""Hash and decompress a gzip file in a background thread while the CSV parser reads it.

zlib and hashlib release the GIL while they work, so on a machine with a second core the
hashing and decompression of a big dataset file overlap with pandas' parsing of what is
already decompressed, instead of running before it; and the decompressed file is never held
whole in memory. Only the standard library is used.
"""

from __future__ import annotations

import gzip
import io
import queue
import threading
import zlib
from typing import Any

__all__ = ["GunzipReader"]

#: Compressed bytes inflated per step: small enough for the parser to start early.
_PIECE = 1 << 16


class GunzipReader(io.RawIOBase):
    """A read-only binary stream of the decompressed content of ``data`` (gzip bytes).

    Work starts at once in a daemon thread that always runs to the end of ``data`` (its
    queue is unbounded, so it never waits for the reader). A file cut short, or bytes that are
    not gzip, raise from :meth:`read` (:class:`EOFError`, :class:`zlib.error` or
    :class:`OSError`) once the reader reaches the damage; ``hasher`` is fed every byte of
    ``data`` even then.

    Parameters
    ----------
    data : bytes
        The whole compressed file.
    hasher : hashlib hash object, optional
        Fed the compressed bytes piece by piece; its digest is complete after :meth:`wait`.
    """

    def __init__(self, data: bytes, hasher: Any | None = None) -> None:
        super().__init__()
        self._queue: queue.SimpleQueue[bytes | BaseException | None] = queue.SimpleQueue()
        self._buffer = b""
        self._offset = 0  # where the unread part of _buffer starts
        self._ended = False
        self._worker = threading.Thread(target=self._inflate, args=(data, hasher), daemon=True,
                                        name="migdata-gunzip")
        self._worker.start()

    def _inflate(self, data: bytes, hasher: Any | None) -> None:
        view = memoryview(data)
        hashed = 0
        try:
            stream = zlib.decompressobj(wbits=31)
            for start in range(0, len(view), _PIECE):
                piece = view[start:start + _PIECE]
                if hasher is not None:
                    hasher.update(piece)
                    hashed = start + len(piece)
                out = stream.decompress(piece)
                if out:
                    self._queue.put(out)
                if stream.eof:
                    rest = stream.unused_data + view[start + _PIECE:].tobytes()
                    if rest:  # several gzip members (the build writes one): the slow way
                        self._queue.put(gzip.decompress(rest))
                    break
            if not stream.eof:
                raise EOFError("the compressed stream ends before its end marker (file cut short)")
            self._queue.put(None)
        except BaseException as error:  # handed to the reader, which raises it
            self._queue.put(error)
        finally:
            if hasher is not None and hashed < len(view):
                hasher.update(view[hashed:])

    def wait(self) -> None:
        """Return when the thread has hashed and decompressed everything it will."""
        self._worker.join()

    def _fill(self) -> bool:
        """Wait for the next decompressed piece; False at the end of the stream."""
        while not self._ended:
            item = self._queue.get()
            if item is None:
                self._ended = True
            elif isinstance(item, BaseException):
                self._ended = True
                raise item
            elif item:
                self._buffer = self._buffer[self._offset:] + item
                self._offset = 0
                return True
        return False

    def first_line(self) -> bytes:
        """The bytes before the first line break (they stay to be read)."""
        while self._buffer.find(b"\n", self._offset) < 0 and self._fill():
            pass
        end = self._buffer.find(b"\n", self._offset)
        return self._buffer[self._offset:end if end >= 0 else len(self._buffer)]

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` decompressed bytes (all that is left if ``size`` is -1 or None)."""
        if size is None or size < 0:
            while self._fill():
                pass
            size = len(self._buffer) - self._offset
        elif self._offset >= len(self._buffer):
            self._fill()
        # Each byte is copied out once: the rest of the piece stays where it is.
        out = self._buffer[self._offset:self._offset + size]
        self._offset += len(out)
        return out

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
