"""URI handling functions (ES5.1 15.1.3) and ``escape``/``unescape`` (ES5.1 Annex B.2.1, B.2.2).

JavaScript strings are UTF-16 code units and ours are Python code points: a character above U+FFFF is
one code point here and a surrogate pair there, which the algorithms below treat alike (15.1.3 Encode
steps 4d-4f read such a pair as one code point ``V``; ``escape`` writes both units).
"""

from __future__ import annotations

import string

from dig_lsp.dryrun.js.errors import JsError

_RESERVED = ";/?:@&=+$,"
_UNESCAPED = string.ascii_letters + string.digits + "-_.!~*'()"
URI_UNESCAPED = frozenset(_UNESCAPED)
"""``uriUnescaped`` (15.1.3): what ``encodeURIComponent`` leaves as it is."""
URI_UNESCAPED_OR_RESERVED = frozenset(_UNESCAPED + _RESERVED + "#")
"""What ``encodeURI`` leaves as it is: ``uriReserved``, ``uriUnescaped`` and ``#`` (15.1.3.3)."""
URI_RESERVED_WITH_HASH = frozenset(_RESERVED + "#")
"""What ``decodeURI`` leaves escaped (15.1.3.1); ``decodeURIComponent`` leaves nothing (15.1.3.2)."""
_HEX = frozenset(string.hexdigits)


def _malformed() -> JsError:
    return JsError("URIError", "URI malformed")


def encode(text: str, unescaped: frozenset[str]) -> str:
    """15.1.3 Encode: UTF-8 octets of every character not in ``unescaped`` as ``%XY`` (upper-case hex)."""
    out: list[str] = []
    k = 0
    while k < len(text):
        char = text[k]
        if char in unescaped:
            out.append(char)
            k += 1
            continue
        code = ord(char)
        if 0xDC00 <= code <= 0xDFFF:  # step 4c: a trailing surrogate alone
            raise _malformed()
        if 0xD800 <= code <= 0xDBFF:  # step 4d: a leading surrogate needs a trailing one
            following = ord(text[k + 1]) if k + 1 < len(text) else -1
            if not 0xDC00 <= following <= 0xDFFF:
                raise _malformed()
            code = (code - 0xD800) * 0x400 + (following - 0xDC00) + 0x10000
            k += 1
        out.extend(f"%{octet:02X}" for octet in chr(code).encode("utf-8"))
        k += 1
    return "".join(out)


def _octet(text: str, k: int) -> int:
    """The byte of ``%XY`` at ``text[k]`` (15.1.3 Decode steps 4d.ii-4d.v)."""
    if k + 2 >= len(text):
        raise _malformed()
    if text[k] != "%" or text[k + 1] not in _HEX or text[k + 2] not in _HEX:
        raise _malformed()
    return int(text[k + 1:k + 3], 16)


def decode(text: str, reserved: frozenset[str]) -> str:
    """15.1.3 Decode: ``%XY`` sequences of UTF-8 back to characters, except those in ``reserved``."""
    out: list[str] = []
    k = 0
    while k < len(text):
        if text[k] != "%":
            out.append(text[k])
            k += 1
            continue
        start = k
        byte = _octet(text, k)
        k += 3
        if byte & 0x80 == 0:
            char = chr(byte)
            out.append(text[start:k] if char in reserved else char)
            continue
        n = 0
        while byte & (0x80 >> n):
            n += 1
        if n == 1 or n > 4:  # step 4d.vii.1: a continuation byte first, or more than four bytes
            raise _malformed()
        octets = [byte]
        for _ in range(n - 1):
            following = _octet(text, k)
            if following & 0xC0 != 0x80:
                raise _malformed()
            octets.append(following)
            k += 3
        try:  # step 4d.vii.8: a valid UTF-8 encoding of a code point (no overlong form, no surrogate)
            char = bytes(octets).decode("utf-8")
        except UnicodeDecodeError:
            raise _malformed() from None
        out.append(text[start:k] if char in reserved else char)
    return "".join(out)


_ESCAPE_KEPT = frozenset(string.ascii_letters + string.digits + "@*_+-./")


def escape(text: str) -> str:
    """B.2.1 ``escape``: ``%XY`` below 256, ``%uXXXX`` for every other UTF-16 code unit."""
    out: list[str] = []
    for char in text:
        if char in _ESCAPE_KEPT:
            out.append(char)
            continue
        units = char.encode("utf-16-be", "surrogatepass")
        for i in range(0, len(units), 2):
            unit = units[i] << 8 | units[i + 1]
            out.append(f"%{unit:02X}" if unit < 256 else f"%u{unit:04X}")
    return "".join(out)


def unescape(text: str) -> str:
    """B.2.2 ``unescape``: ``%uXXXX`` and ``%XY`` back to code units; anything else stays as it is."""
    units: list[int] = []
    k = 0
    length = len(text)
    while k < length:
        char = text[k]
        if char == "%":
            if k <= length - 6 and text[k + 1] == "u" and all(c in _HEX for c in text[k + 2:k + 6]):
                units.append(int(text[k + 2:k + 6], 16))
                k += 6
                continue
            if k <= length - 3 and all(c in _HEX for c in text[k + 1:k + 3]):
                units.append(int(text[k + 1:k + 3], 16))
                k += 3
                continue
        units.extend(_units(char))
        k += 1
    return b"".join(unit.to_bytes(2, "big") for unit in units).decode("utf-16-be", "surrogatepass")


def _units(char: str) -> list[int]:
    data = char.encode("utf-16-be", "surrogatepass")
    return [data[i] << 8 | data[i + 1] for i in range(0, len(data), 2)]
