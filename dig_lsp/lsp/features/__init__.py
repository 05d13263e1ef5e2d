"""LSP handlers of the editor features: each module converts one ``dig_lsp.ide`` result to LSP types.

This package's ``__init__`` holds what every request handler needs: a guard that turns an
exception into a logged empty result, and :class:`DocumentRequest` (the document's path,
its loaded project, and position conversion in the negotiated encoding).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path

from dig_lsp.lsp.convert import UTF16, code_point_column, lsp_range
from dig_lsp.lsp.documents import DocumentAnalyser, OpenDocument, ProjectView, document_path, open_documents
from dig_lsp.text.span import Position, Span

logger = logging.getLogger(__name__)

Params = TypeVar("Params")
Result = TypeVar("Result")
Server = TypeVar("Server", bound=LanguageServer)


def guarded_request(empty: Callable[[], Result]) -> Callable[[Callable[[Server, Params], Result]],
                                                              Callable[[Server, Params], Result]]:
    """Log a request handler's exception and answer ``empty()`` instead of an error."""

    def decorate(handler: Callable[[Server, Params], Result]) -> Callable[[Server, Params], Result]:
        @functools.wraps(handler)
        def wrapper(server: Server, params: Params) -> Result:
            try:
                return handler(server, params)
            except Exception:
                logger.exception("%s failed", handler.__name__)
                return empty()

        return wrapper

    return decorate


@dataclass(frozen=True)
class DocumentRequest:
    """A request about one open document: its project (unsaved buffers overlaid) and its encoding."""

    uri: str
    path: str
    documents: Mapping[str, OpenDocument]
    view: ProjectView
    encoding: str

    def offset(self, position: types.Position) -> int | None:
        """The code-point offset of an LSP position in this document (None if it cannot be read)."""
        source = self.view.model.files.source(self.path)
        if source is None:
            return None
        line = max(0, position.line)
        column = code_point_column(source.line_text(line), position.character, self.encoding)
        return source.offset(Position(line, column))

    def line_text(self, path: str, line: int) -> str | None:
        """The text of a line of any file of the project (for converting spans)."""
        source = self.view.model.files.source(path)
        return None if source is None else source.line_text(line)

    def uri_for(self, path: str) -> str:
        """The URI the client knows a file by (an open document keeps the exact URI it sent)."""
        document = self.documents.get(path)
        if document is not None:
            return document.uri
        return self.uri if path == self.path else (from_fs_path(path) or path)

    def range(self, span: Span) -> types.Range:
        """A span as an LSP range in the negotiated encoding."""
        return lsp_range(span, self.line_text, self.encoding)

    def location(self, span: Span) -> types.Location:
        """A span as an LSP location."""
        return types.Location(uri=self.uri_for(span.path), range=self.range(span))


def document_request(server: LanguageServer, uri: str) -> DocumentRequest | None:
    """The request context of ``uri``; None for non-file URIs and documents outside any project."""
    path = document_path(uri)
    if path is None:
        return None
    documents = open_documents(server.workspace)
    view = analyser_of(server).project_for(path, documents)
    if view is None:
        return None
    encoding = str(server.workspace.position_encoding or UTF16)
    return DocumentRequest(uri, path, documents, view, encoding)


class AtPosition(Protocol):
    """The params of any request about one position of one document (hover, completion...)."""

    @property
    def text_document(self) -> types.TextDocumentIdentifier: ...

    @property
    def position(self) -> types.Position: ...


def positioned_request(server: LanguageServer, params: AtPosition) -> tuple[DocumentRequest, int] | None:
    """The request context of a position request and the position's code-point offset (None when
    the document is outside any project or cannot be read)."""
    request = document_request(server, params.text_document.uri)
    offset = None if request is None else request.offset(params.position)
    return None if request is None or offset is None else (request, offset)


def analyser_of(server: LanguageServer) -> DocumentAnalyser:
    """The server's :class:`DocumentAnalyser` (a bare pygls server, as in some tests, gets a fresh one)."""
    analyser = getattr(server, "analyser", None)
    if not isinstance(analyser, DocumentAnalyser):
        analyser = DocumentAnalyser()
        setattr(server, "analyser", analyser)  # noqa: B010 - pygls servers accept attributes
    return analyser


def client_text_capabilities(server: LanguageServer) -> types.TextDocumentClientCapabilities | None:
    """The client's text-document capabilities (None before initialize, or when it sent none)."""
    try:
        return server.client_capabilities.text_document
    except Exception:  # no initialize yet
        return None
