"""What the server announces in its ``initialize`` answer, without importing what answers the requests.

Why a module of its own: the server answers ``initialize`` before the analysis core and the editor
features are imported (they take most of the start-up, and the editor waits for that answer before it
sends anything else), so the options pygls puts in the capabilities cannot come from the feature
modules. The feature modules use these same objects; ``tests/test_lsp_startup.py`` holds the copied
names (semantic token legend, fix-all kind, dry-run command) to the ``ide`` modules that define them.
"""

from __future__ import annotations

from lsprotocol import types

COMPLETION_TRIGGERS = ["$", "{", ".", ":", "/", " "]
COMPLETION = types.CompletionOptions(trigger_characters=COMPLETION_TRIGGERS, resolve_provider=False)

# dig_lsp.ide.semantic_tokens.token_types() and token_modifiers(), in legend order
SEMANTIC_TOKENS = types.SemanticTokensLegend(
    token_types=["function", "keyword", "decorator", "variable", "property", "method", "string", "number", "comment"],
    token_modifiers=["declaration", "defaultLibrary"])

FIX_ALL = "source.fixAll.dig-lint"  # dig_lsp.ide.actions.FIX_ALL
CODE_ACTION_KINDS: list[types.CodeActionKind | str] = [types.CodeActionKind.QuickFix, FIX_ALL]
CODE_ACTIONS = types.CodeActionOptions(code_action_kinds=CODE_ACTION_KINDS)

CODE_LENS = types.CodeLensOptions(resolve_provider=False)
DRY_RUN_COMMAND = "dig-lsp.server.dryRun"  # dig_lsp.ide.code_lens.DRY_RUN_COMMAND
