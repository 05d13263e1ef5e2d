"""Editor features as pure functions over the analysis model (hover, completion, definitions...).

The language server (``dig_lsp/lsp``) only converts between these results and LSP types.
"""
