"""The server's connection to its client: standard input/output, or TCP for debugging.

pygls's readers trust every header (see :mod:`dig_lsp.lsp.framing`) and its stdio loop ends
through a chain that waits for worker threads, so this module replaces ``start_io`` and
``start_tcp``: bytes go through a :class:`~dig_lsp.lsp.framing.FrameParser`, frame bodies to
:meth:`DigProtocol.receive <dig_lsp.lsp.protocol.DigProtocol.receive>`, and the serve functions
return as soon as the input ends or the output breaks, so the caller can exit at once.

Standard input is read on a daemon thread (a blocking read cannot be awaited portably, and a
daemon thread is never waited for at exit); it hands chunks to the event loop and reads at most
:data:`_WINDOW` chunks ahead of it, so a client that writes faster than the server handles
costs a bounded amount of memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Iterable
from typing import BinaryIO

from dig_lsp.lsp.framing import Event, Frame, FrameParser
from dig_lsp.lsp.protocol import DigProtocol

logger = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
_WINDOW = 64  # chunks read but not yet handled: 4 MiB at most
_LOGGED_SKIPS = 20  # then one log line per _SKIP_LOG_EVERY: hostile input must not fill the log
_SKIP_LOG_EVERY = 1000


class Connection:
    """Bytes from the client in, frames handled by the protocol; malformed frames logged."""

    def __init__(self, protocol: DigProtocol, parser: FrameParser | None = None) -> None:
        self._protocol = protocol
        self._parser = parser or FrameParser()
        self._skips = 0

    def feed(self, data: bytes) -> None:
        """Handle every frame ``data`` completes."""
        self.handle(self._parser.feed(data))

    def handle(self, events: Iterable[Event]) -> None:
        """Handle frames (and skipped bytes) already parsed: the start-up front's (dig_lsp.lsp.front)."""
        for event in events:
            if isinstance(event, Frame):
                self._protocol.receive(event.body)
            else:
                self._skipped(event.reason)

    def _skipped(self, reason: str) -> None:
        self._skips += 1
        if self._skips <= _LOGGED_SKIPS or self._skips % _SKIP_LOG_EVERY == 0:
            logger.warning("malformed input from the client (%d so far): %s", self._skips, reason)


class PipeWriter:
    """pygls's writer interface over a byte stream; a closed stream ends the connection instead of
    raising into whichever handler happened to write."""

    def __init__(self, stream: BinaryIO, on_closed: Callable[[], None]) -> None:
        self._stream = stream
        self._on_closed = on_closed
        self._closed = False

    def write(self, data: bytes) -> None:
        """Write and flush one message (dropped once the stream is broken)."""
        if self._closed:
            return
        try:
            self._stream.write(data)
            self._stream.flush()
        except (OSError, ValueError):  # a broken pipe, or a stream closed under us
            logger.warning("the client's input is closed")
            self._closed = True
            self._on_closed()

    def close(self) -> None:
        """Close the stream (pygls calls this on ``exit``)."""
        self._closed = True
        with contextlib.suppress(OSError, ValueError):
            self._stream.close()


def serve_stdio(protocol: DigProtocol, stdin: BinaryIO, stdout: BinaryIO, parser: FrameParser | None = None,
                read: Iterable[Event] = ()) -> None:
    """Serve over the two streams; return when the input ends or the output breaks. ``parser`` and the
    events it ``read`` already come from the start-up front (:mod:`dig_lsp.lsp.front`): they are handled
    first, on the event loop, before anything more is read."""
    asyncio.run(_serve_stdio(protocol, stdin, stdout, parser, read))


async def _serve_stdio(protocol: DigProtocol, stdin: BinaryIO, stdout: BinaryIO, parser: FrameParser | None,
                       read: Iterable[Event]) -> None:
    loop = asyncio.get_running_loop()
    finished: asyncio.Future[None] = loop.create_future()

    def finish() -> None:
        if not finished.done():
            finished.set_result(None)

    protocol.set_writer(PipeWriter(stdout, finish))
    connection = Connection(protocol, parser)
    connection.handle(read)
    window = threading.Semaphore(_WINDOW)

    def deliver(chunk: bytes) -> None:
        window.release()
        if chunk:
            connection.feed(chunk)
        else:
            finish()

    reader = threading.Thread(target=_read_stdin, args=(stdin, loop, deliver, window), name="dig-lsp-stdin",
                              daemon=True)
    reader.start()
    await finished


def _read_stdin(stdin: BinaryIO, loop: asyncio.AbstractEventLoop, deliver: Callable[[bytes], None],
                window: threading.Semaphore) -> None:
    """The reader thread: chunks as they arrive (``read1``: what is there, not a fixed size), then
    an empty chunk for the end of the input."""
    read = getattr(stdin, "read1", stdin.read)
    while True:
        window.acquire()
        try:
            chunk: bytes = read(CHUNK_BYTES)
        except (OSError, ValueError):
            chunk = b""
        try:
            loop.call_soon_threadsafe(deliver, chunk)
        except RuntimeError:  # the loop is closed: the server is exiting
            return
        if not chunk:
            return


def serve_tcp(protocol: DigProtocol, host: str, port: int) -> None:
    """Serve the first client that connects to ``host:port``; return when it disconnects."""
    asyncio.run(_serve_tcp(protocol, host, port))


async def _serve_tcp(protocol: DigProtocol, host: str, port: int) -> None:
    finished: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        logger.info("client connected")
        protocol.set_writer(writer)
        connection = Connection(protocol)
        try:
            while chunk := await reader.read(CHUNK_BYTES):
                connection.feed(chunk)
        except OSError:
            logger.warning("the connection to the client broke")
        if not finished.done():
            finished.set_result(None)

    server = await asyncio.start_server(connected, host, port)
    logger.info("listening on %s", ", ".join(str(sock.getsockname()) for sock in server.sockets))
    async with server:
        await finished
