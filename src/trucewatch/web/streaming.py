"""Stream what a writer function writes to a text file, chunk by chunk, as an HTTP response body.

The export writers of `trucewatch.publish` write to a file-like object as they read the database. `stream_writes` runs
one in a thread, hands its output over in chunks through a small queue (so memory holds a few chunks, whatever the
export's size) and stops the writer if the client goes away.
"""
from __future__ import annotations

import io
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any, TextIO, cast

CHUNK_CHARS = 64 * 1024
QUEUE_CHUNKS = 4
_DONE = object()


class _Stopped(Exception):
    """The reader went away; the writer stops."""


class _Pipe(io.TextIOBase):
    def __init__(self, chunks: queue.Queue[Any], stop: threading.Event) -> None:
        self._chunks, self._stop, self._size = chunks, stop, 0
        self._parts: list[str] = []

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._parts.append(text)
        self._size += len(text)
        if self._size >= CHUNK_CHARS:
            self.hand_over()
        return len(text)

    def hand_over(self) -> None:
        if self._parts:
            self.put("".join(self._parts))
            self._parts, self._size = [], 0

    def put(self, item: Any) -> None:
        while True:
            if self._stop.is_set():
                raise _Stopped
            try:
                self._chunks.put(item, timeout=0.5)
                return
            except queue.Full:
                continue


def stream_writes(write: Callable[[TextIO], Any]) -> Iterator[str]:
    """The text `write(out)` writes to `out`, in chunks, as it writes it."""
    chunks: queue.Queue[Any] = queue.Queue(maxsize=QUEUE_CHUNKS)
    stop = threading.Event()
    pipe = _Pipe(chunks, stop)

    def run() -> None:
        try:
            write(cast(TextIO, pipe))  # a text stream: write() and flush() are all a writer calls
            pipe.hand_over()
            pipe.put(_DONE)
        except _Stopped:
            return
        except BaseException as err:  # handed to the reader, which raises it
            try:
                pipe.put(err)
            except _Stopped:
                return

    thread = threading.Thread(target=run, name="trucewatch-export", daemon=True)
    thread.start()
    try:
        while True:
            item = chunks.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
