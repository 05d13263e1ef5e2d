"""LSP's base protocol, read defensively: ``Content-Length`` framed bodies out of a byte stream.

pygls reads a header, then ``read(Content-Length)``: a length that is too short or too long leaves
it reading the middle of one frame as the start of the next for the rest of the session, a value
that is not a number is ignored (so the frame's body is read as headers), and ``10^14`` asks the
allocator for that many bytes, which kills the process. An editor's bug, or a proxy between
editor and server, then costs the user every feature until a restart.

:class:`FrameParser` is "sans I/O" (bytes in, events out), so the stdio reader thread and the TCP
connection share it and tests can feed it bytes directly. It never trusts the header:

* the body is collected as it arrives, never allocated from the declared length, and a frame
  declaring more than :data:`MAX_BODY_BYTES` is skipped without being kept in memory;
* after any bad frame it resynchronises on the next ``Content-Length:`` header. A header can be
  told from body bytes: ``Content-Length: N`` followed by a line break cannot occur in valid JSON
  (outside strings the name is no JSON token, inside strings a raw line break is not allowed), so
  a body that runs into one was declared too long, and the next frame starts there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BODY_BYTES = 64 * 1024 * 1024
"""The largest frame body read: a 2 MiB workflow (the largest YAML file analysed,
``dig_lsp.text.limits.MAX_YAML_CHARS``) escaped as JSON takes at most 12 MiB, so this leaves room."""
MAX_HEADER_BYTES = 4096
"""A header block longer than this is no header (real ones are under 100 bytes)."""
_MAX_DIGITS = 12  # more digits than any length below MAX_BODY_BYTES: an oversized frame, not a number
_OVERLAP = 256  # bytes kept between two searches, so a header split across two reads is still found
_NAME = b"content-length"
_TOKEN = rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+"  # a header name (RFC 9110's token)


class _Grammar:
    """The base protocol's header syntax as bytes patterns, each linear (tests/test_protocol_hostile.py
    runs them on hostile input). Kept in a class: tests/test_backtracking.py audits the module-level
    patterns of the package with text, which a bytes pattern cannot search. The patterns that are
    only ever matched whole start with ``\\A``, so a search is linear too."""

    header_start = re.compile(rb"content-length[ \t]*:", re.IGNORECASE)
    next_frame = re.compile(rb"content-length[ \t]*:[ \t]*[0-9]+[ \t]*\r?\n", re.IGNORECASE)
    length_value = re.compile(rb"\A[ \t]*([0-9]+)[ \t]*")
    other_header = re.compile(rb"\A" + _TOKEN + rb"[ \t]*:[^\r\n]*")
    after_name_prefix = re.compile(rb"\A[ \t]*(?::[ \t]*(?:[0-9]+[ \t]*\r?)?)?")  # may follow _NAME before \n
    headers_only = re.compile(rb"\A(?:" + _TOKEN + rb"[ \t]*:[^\r\n]*\r?\n|\r?\n)*")


@dataclass(frozen=True)
class Frame:
    """A complete frame body (not yet decoded: it may still be malformed JSON)."""

    body: bytes


@dataclass(frozen=True)
class Skipped:
    """Bytes that were not a usable frame, and why (the reader logs it and answers nothing)."""

    reason: str


Event = Frame | Skipped


class FrameParser:
    """Turns a byte stream into frame bodies, recovering from every malformed frame.

    ``feed`` returns what the new bytes completed. Memory stays bounded by the largest frame
    accepted (plus one read): junk and oversized bodies are dropped as they arrive.
    """

    def __init__(self, max_body: int = MAX_BODY_BYTES) -> None:
        self._max_body = max_body
        self._buffer = bytearray()
        self._length: int | None = None  # the body length being read, once headers were read
        self._skipping = False  # dropping an oversized body until the next header
        self._searched = 0  # how far the current body was already searched for the next header
        self._junk = 0  # bytes dropped since the last frame that were not headers

    def feed(self, data: bytes) -> list[Event]:
        """The frames (and skipped bytes) that ``data`` completes."""
        self._buffer += data
        events: list[Event] = []
        while True:
            event, progressed = self._step()
            if event is not None:
                events.append(event)
            if not progressed:
                return events

    def _step(self) -> tuple[Event | None, bool]:
        if self._skipping:
            return self._skip_oversized()
        if self._length is not None:
            return self._read_body(self._length)
        return self._read_headers()

    # ------------------------------------------------------------------ headers

    def _read_headers(self) -> tuple[Event | None, bool]:
        start = _Grammar.header_start.search(self._buffer)
        if start is None:
            self._drop(max(0, len(self._buffer) - _OVERLAP))
            return None, False
        self._drop(start.start())
        if self._junk:
            junk, self._junk = self._junk, 0
            return Skipped(f"{junk} bytes that are no frame"), True
        name_end = start.end() - start.start()
        block_end, body_start = self._block_end()
        if block_end < 0:
            if len(self._buffer) > MAX_HEADER_BYTES:
                return self._reject(name_end, f"a header block longer than {MAX_HEADER_BYTES} bytes")
            return None, False
        lines = bytes(self._buffer[name_end:block_end]).split(b"\n")
        value, others = lines[0].rstrip(b"\r"), [line.rstrip(b"\r") for line in lines[1:]]
        if any(_Grammar.other_header.fullmatch(line) is None for line in others):
            return self._reject(name_end, "a malformed header line")
        length = _Grammar.length_value.fullmatch(value)
        if length is None:
            return self._reject(name_end, f"Content-Length {_shown(value)} is not a number")
        del self._buffer[:body_start]
        digits = length.group(1).lstrip(b"0") or b"0"
        if len(digits) > _MAX_DIGITS or int(digits) > self._max_body:
            self._skipping = True
            return Skipped(f"a frame of {_shown(digits)} bytes (more than {self._max_body}) was skipped"), True
        self._length, self._searched = int(digits), 0
        return None, True

    def _block_end(self) -> tuple[int, int]:
        """Where the header block at the start of the buffer ends (before its last line break) and its
        body starts; (-1, -1) when no empty line ends it within :data:`MAX_HEADER_BYTES`. Plain
        ``find``: a hostile stream of header starts makes this run once per start."""
        limit = MAX_HEADER_BYTES + 4
        ends = [(end, end + len(blank)) for blank in (b"\n\r\n", b"\n\n")
                if (end := self._buffer.find(blank, 0, limit)) >= 0]
        if not ends:
            return -1, -1
        end, body_start = min(ends)
        return (end - 1 if end > 0 and self._buffer[end - 1] == 0x0D else end), body_start

    def _reject(self, name_end: int, reason: str) -> tuple[Event | None, bool]:
        """Give up on the header at the start of the buffer; look for the next one after its name
        (not after its line: a bad frame's line may run into the next frame's header)."""
        del self._buffer[:name_end]
        return Skipped(reason), True

    def _drop(self, count: int) -> None:
        """Drop ``count`` leading bytes that are no frame (headers without a length are not junk)."""
        if count <= 0:
            return
        dropped = bytes(self._buffer[:count])
        del self._buffer[:count]
        if _Grammar.headers_only.fullmatch(dropped) is None:
            self._junk += count

    # ------------------------------------------------------------------ bodies

    def _read_body(self, length: int) -> tuple[Event | None, bool]:
        # a header starting inside the declared body (it may end past it) means the declared length
        # was too long: the body ends there and the next frame starts
        window = min(len(self._buffer), length + _OVERLAP)
        following = _Grammar.next_frame.search(self._buffer, max(0, self._searched - _OVERLAP), window)
        if following is not None and following.start() < length:
            body = bytes(self._buffer[:following.start()])
            del self._buffer[:following.start()]
            self._length = None
            return Frame(body), True
        if len(self._buffer) < length or self._header_may_start_before(length):
            self._searched = len(self._buffer)
            return None, False
        body = bytes(self._buffer[:length])
        del self._buffer[:length]
        self._length = None
        return Frame(body), True

    def _header_may_start_before(self, length: int) -> bool:
        """Whether the bytes from somewhere before ``length`` to the end of the buffer may be the start
        of a header that has not fully arrived (then the declared length may be too long: wait).

        Never true for a valid JSON body of exactly ``length`` bytes: its last byte, a ``}``, would be
        part of that start, and no header contains one.
        """
        lowered = bytes(self._buffer[max(0, length - _OVERLAP, len(self._buffer) - _OVERLAP):]).lower()
        first = len(self._buffer) - len(lowered)
        return any(_could_begin_header(lowered[index - first:])
                   for index in range(first, length) if lowered[index - first] == _NAME[0])

    def _skip_oversized(self) -> tuple[Event | None, bool]:
        following = _Grammar.next_frame.search(self._buffer)
        if following is None:
            del self._buffer[:max(0, len(self._buffer) - _OVERLAP)]
            return None, False
        del self._buffer[:following.start()]
        self._skipping = False
        return None, True


def _could_begin_header(data: bytes) -> bool:
    """Whether ``data`` (lower case) is the start of a ``Content-Length: N`` line without its line feed."""
    if len(data) <= len(_NAME):
        return _NAME.startswith(data)
    return data.startswith(_NAME) and _Grammar.after_name_prefix.fullmatch(data[len(_NAME):]) is not None


def _shown(value: bytes) -> str:
    """A header value for a log line: short and printable."""
    text = value[:40].decode("ascii", errors="replace")
    return repr(text + ("..." if len(value) > 40 else ""))
