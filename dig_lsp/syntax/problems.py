"""Problems found while reading files: data, not diagnostics.

The syntax layer reports what it found with a ``kind``; the check that owns that kind
(``dig_lsp/checks``) turns it into a coded diagnostic. This keeps codes, severities and
docs in one place (the check registry) while the loader stays independent of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from dig_lsp.text.span import Span


@dataclass(frozen=True, slots=True)
class SyntaxProblem:
    """A problem in a file's text or YAML structure."""

    kind: str
    message: str
    span: Span
    related: tuple[tuple[Span, str], ...] = ()


# Kinds, one per check that reports them.
YAML_SYNTAX = "yaml-syntax"
DUPLICATE_KEY = "duplicate-key"
UNKNOWN_TAG = "unknown-tag"
NOT_A_MAPPING = "root-not-mapping"
MULTIPLE_DOCUMENTS = "multiple-documents"
ENCODING = "encoding"
BYTE_ORDER_MARK = "byte-order-mark"
RESOURCE_LIMIT = "resource-limit"
INCLUDE_NOT_FOUND = "include-not-found"
INCLUDE_OUTSIDE = "include-outside-directory"
LINKED_OUT = "linked-out-of-project"  # an !include or call> target through a link out of the project
INCLUDE_CYCLE = "include-cycle"
INCLUDE_NOT_MAPPING = "include-not-mapping"
