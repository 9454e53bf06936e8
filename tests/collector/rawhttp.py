"""A raw-socket HTTP/1.1 client for the intake tests: it sends exactly the bytes it is given
(malformed framing, smuggled requests, trickled headers) and reads answers as they come."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass

WAIT = 15.0
"""Seconds any single read may wait: long enough for a loaded machine, only spent on failure."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


class RawClient:
    def __init__(self, port: int, timeout: float = WAIT) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self._buffer = b""

    def __enter__(self) -> RawClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self) -> bool:
        """Read more; False at end of stream (FIN or reset)."""
        try:
            chunk = self.sock.recv(65536)
        except ConnectionResetError:
            return False
        self._buffer += chunk
        return bool(chunk)

    def answer(self) -> Answer:
        """The next complete response (status line, headers, Content-Length body)."""
        while b"\r\n\r\n" not in self._buffer:
            if not self._fill():
                raise ConnectionError(f"closed before a full answer: {self._buffer[:200]!r}")
        head, _, self._buffer = self._buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" not in headers and headers.get("connection") == "close":
            body = self.rest()  # delimited by the end of the connection
            return Answer(status, headers, body)
        length = int(headers.get("content-length", "0"))
        while len(self._buffer) < length:
            if not self._fill():
                raise ConnectionError("closed in the middle of an answer body")
        body, self._buffer = self._buffer[:length], self._buffer[length:]
        return Answer(status, headers, body)

    def rest(self) -> bytes:
        """Everything the server sends until it closes the connection (TimeoutError if it
        keeps the connection open for ``WAIT`` seconds)."""
        while self._fill():
            pass
        rest, self._buffer = self._buffer, b""
        return rest

    def closed_after(self) -> float:
        """Seconds until the server closed the connection, reading (and ignoring) what comes."""
        start = time.monotonic()
        self.rest()
        return time.monotonic() - start


def request(method: str, path: str = "/falco", headers: tuple[str, ...] = ()) -> bytes:
    """A request head; ``headers`` are ``Name: value`` strings, Host is added."""
    lines = [f"{method} {path} HTTP/1.1", "Host: collector", *headers, "", ""]
    return "\r\n".join(lines).encode()


def chunked(*parts: bytes) -> bytes:
    """A well-formed chunked body of these chunks, with the last-chunk and no trailers."""
    return b"".join(f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in parts) + b"0\r\n\r\n"
