"""``textDocument/semanticTokens/full``: :func:`dig_lsp.ide.semantic_tokens.semantic_tokens`, encoded.

LSP sends tokens as a flat list of integers, five per token: the line relative to the previous
token's line, the start column (relative to the previous token's start when on the same line),
the length, the token type's index in the legend and a bit set of modifier indexes. Columns and
lengths are measured in the negotiated position encoding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from dig_lsp.ide.semantic_tokens import LSP_TYPES, SemanticToken, semantic_tokens
from dig_lsp.lsp import capabilities
from dig_lsp.lsp.convert import UTF16, column_units
from dig_lsp.lsp.features import document_request, guarded_request

LEGEND = capabilities.SEMANTIC_TOKENS

_TYPE_INDEX = {name: index for index, name in enumerate(LEGEND.token_types)}
_MODIFIER_BIT = {name: 1 << index for index, name in enumerate(LEGEND.token_modifiers)}


def _empty() -> types.SemanticTokens | None:
    return None


def encode(tokens: Iterable[SemanticToken], line_text: Callable[[int], str], encoding: str = UTF16) -> list[int]:
    """The relative five-integer encoding of tokens sorted by position (code-point columns in)."""
    data: list[int] = []
    previous_line, previous_start = 0, 0
    for token in tokens:
        text = line_text(token.line)
        start = column_units(text, token.column, encoding)
        length = column_units(text, token.column + token.length, encoding) - start
        if length <= 0:
            continue
        delta_line = token.line - previous_line
        delta_start = start - previous_start if delta_line == 0 else start
        bits = 0
        for modifier in token.modifiers:
            bits |= _MODIFIER_BIT[modifier.value]
        data += [delta_line, delta_start, length, _TYPE_INDEX[LSP_TYPES[token.kind]], bits]
        previous_line, previous_start = token.line, start
    return data


@guarded_request(_empty)
def on_semantic_tokens_full(server: LanguageServer, params: types.SemanticTokensParams) -> types.SemanticTokens | None:
    """Tokens of a whole workflow (or included) file."""
    request = document_request(server, params.text_document.uri)
    if request is None:
        return None
    source = request.view.model.files.source(request.path)
    if source is None:
        return None
    tokens = semantic_tokens(request.view.model, request.path)
    return types.SemanticTokens(data=encode(tokens, source.line_text, request.encoding))
