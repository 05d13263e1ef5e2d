"""The ``dig-lsp`` language server: the analysis core's diagnostics, spoken over LSP.

Everything that knows about pygls or lsprotocol lives in this package, so the analysis
core stays usable (and importable) without them.
"""
