"""Evidence uploads at their limits, with real multipart requests: `max_upload_bytes` is the most a complaint's files
may hold together (and each file); a refused upload leaves no file behind; a chunked body (no Content-Length) over
the limit is 413 like any other."""
from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

from .conftest import World
from .live import live_server


def files_in(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def complaints(client, world: World) -> int:
    return len(client.get("/api/v1/complaints?limit=200", headers=world.auth("admin")).json()["data"])


def test_a_second_file_over_the_limit_leaves_the_first_nowhere(own_client, own_world: World):
    limit = own_world.settings.max_upload_bytes
    folder, before = own_world.settings.evidence_path, files_in(own_world.settings.evidence_path)
    filed = complaints(own_client, own_world)
    answer = own_client.post("/api/v1/complaints", headers=own_world.auth("liaison PAK"), data={"text": "two files"},
                             files=[("evidence", ("small.jpg", b"a small photo" * 10, "image/jpeg")),
                                    ("evidence", ("big.bin", os.urandom(limit + 1), "application/octet-stream"))])
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "TW-E619", answer.text
    assert files_in(folder) == before
    assert complaints(own_client, own_world) == filed


def test_the_limit_is_for_all_of_a_complaints_files_together(own_client, own_world: World):
    limit = own_world.settings.max_upload_bytes
    folder, before = own_world.settings.evidence_path, files_in(own_world.settings.evidence_path)
    filed = complaints(own_client, own_world)
    halves = [("evidence", (f"part-{i}.bin", os.urandom(limit // 2 + 1024), "application/octet-stream"))
              for i in range(2)]
    answer = own_client.post("/api/v1/complaints", headers=own_world.auth("liaison PAK"),
                             data={"text": "two files, each under the limit, over it together"}, files=halves)
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "TW-E619", answer.text
    assert files_in(folder) == before
    assert complaints(own_client, own_world) == filed
    within = [("evidence", (f"part-{i}.bin", os.urandom(limit // 2 - 1024), "application/octet-stream"))
              for i in range(2)]
    answer = own_client.post("/api/v1/complaints", headers=own_world.auth("liaison PAK"),
                             data={"text": "two files within the limit together"}, files=within)
    assert answer.status_code == 201, answer.text
    assert len(files_in(folder) - before) == 2 and not [f for f in files_in(folder) if ".upload-" in f]


def test_a_chunked_upload_over_the_limit_is_413(own_world: World):
    """A body with no Content-Length, sent in 64 KiB chunks until the server answers (at most 100 MB)."""
    boundary = "tw-boundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nchunked\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"big.bin\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    before = files_in(own_world.settings.evidence_path)
    with live_server(own_world.settings) as url:
        host, port = url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=30) as conn:
            conn.sendall((f"POST /api/v1/complaints HTTP/1.1\r\nHost: {host}\r\n"
                          f"Authorization: Bearer {own_world.tokens['liaison PAK']}\r\n"
                          f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n").encode())
            answer, sent = _send_until_answered(conn, head, 100 * 1000 * 1000)
    status = int(answer.split(b" ", 2)[1])
    body = json.loads(answer.split(b"\r\n\r\n", 1)[1] or b"{}")
    assert status == 413, answer[:500]
    assert body["error"]["code"] == "TW-E619"
    assert sent < 20 * 1024 * 1024  # refused while reading, not after the whole body
    assert files_in(own_world.settings.evidence_path) == before


def _send_until_answered(conn: socket.socket, head: bytes, most: int) -> tuple[bytes, int]:
    chunk, sent = os.urandom(64 * 1024), 0
    conn.sendall(_chunk(head))
    conn.setblocking(False)
    answer = b""
    try:
        while sent < most:
            try:
                answer += conn.recv(65536)
                break
            except BlockingIOError:
                pass
            try:
                conn.sendall(_chunk(chunk))
                sent += len(chunk)
            except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                time.sleep(0.01)
    finally:
        conn.setblocking(True)
    deadline = time.monotonic() + 10
    while b"\r\n\r\n" not in answer or not _complete(answer):
        if time.monotonic() > deadline:
            break
        more = conn.recv(65536)
        if not more:
            break
        answer += more
    return answer, sent


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    length = [int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")]
    return bool(length) and len(body) >= length[0]
