"""How much of the user's text a message may quote: a short excerpt, never a whole value.

Messages end up in public CI logs (text, JSON, SARIF, GitHub annotations). A value can be a
whole file -- a workflow whose top level is one scalar, a linked credentials file -- so a
message that quotes values whole can publish secrets, and a megabyte value makes a megabyte
message. Every message that embeds a value, a key or a raw scalar cuts it here.
"""

from __future__ import annotations

MAX_QUOTED_CHARS = 60
ELLIPSIS = "…"


def excerpt(text: str, limit: int = MAX_QUOTED_CHARS) -> str:
    """``text`` if it has at most ``limit`` characters, else its first ``limit - 1`` and an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS
