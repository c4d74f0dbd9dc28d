"""Streaming a writer's output: in chunks, errors passed on, and the writer stopped when the reader goes away."""
from __future__ import annotations

import threading

import pytest

from trucewatch.web import streaming
from trucewatch.web.streaming import stream_writes


def test_the_text_arrives_whole_in_chunks(monkeypatch):
    monkeypatch.setattr(streaming, "CHUNK_CHARS", 10)
    chunks = list(stream_writes(lambda out: [out.write(f"line {n}\n") for n in range(20)]))
    assert len(chunks) > 5 and "".join(chunks) == "".join(f"line {n}\n" for n in range(20))


def test_an_error_of_the_writer_reaches_the_reader():
    def failing(out):
        out.write("a beginning")
        raise ValueError("the store went away")

    with pytest.raises(ValueError, match="the store went away"):
        list(stream_writes(failing))


def test_the_writer_stops_when_the_reader_goes_away():
    def endless(out):
        while True:
            out.write("x" * 1000)

    chunks = stream_writes(endless)
    next(chunks)
    chunks.close()
    writers = [t for t in threading.enumerate() if t.name == "trucewatch-export"]
    for thread in writers:
        thread.join(timeout=30)
    assert not any(t.is_alive() for t in writers)
