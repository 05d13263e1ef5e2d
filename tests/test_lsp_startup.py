"""The server answers ``initialize`` before the analysis core is imported (issue 20), and the first
diagnostics before pygls and lsprotocol are.

``dig_lsp.lsp.server`` imports pygls and nothing of the engine, the checks or the editor features, and
the capabilities it announces (``dig_lsp.lsp.capabilities``) are the ones the feature modules use: the
names copied there from ``dig_lsp.ide`` must stay the same as the originals. The start-up front
(``dig_lsp.lsp.front``), with the analysis of open documents it runs, imports neither pygls's server nor
lsprotocol (``tests/test_lsp_front.py`` holds its answers to the server's).
"""

from __future__ import annotations

import subprocess
import sys

from dig_lsp.ide.actions import FIX_ALL
from dig_lsp.ide.code_lens import DRY_RUN_COMMAND
from dig_lsp.ide.semantic_tokens import token_modifiers, token_types
from dig_lsp.lsp import capabilities
from dig_lsp.lsp.features import code_actions, completion, semantic_tokens


def test_the_server_module_imports_no_analysis_core_nor_features() -> None:
    probe = ("import sys, dig_lsp.lsp.server; "
             "print(sorted(m for m in sys.modules if m.startswith(('dig_lsp.engine', 'dig_lsp.checks', "
             "'dig_lsp.ide', 'dig_lsp.lsp.documents', 'dig_lsp.lsp.features', 'dig_lsp.model'))))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout.strip() == "[]"


def test_the_start_up_front_and_the_first_analysis_import_no_lsprotocol_nor_pygls_server() -> None:
    probe = ("import sys, dig_lsp.lsp.main, dig_lsp.lsp.front, dig_lsp.lsp.documents; "
             "print(sorted(m for m in sys.modules if m.startswith(('lsprotocol', 'pygls', 'cattrs'))))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout.strip() == "['pygls', 'pygls.uris']"  # file URIs: plain Python


def test_the_announced_capabilities_are_the_features_own() -> None:
    assert capabilities.SEMANTIC_TOKENS.token_types == token_types()
    assert capabilities.SEMANTIC_TOKENS.token_modifiers == token_modifiers()
    assert capabilities.FIX_ALL == FIX_ALL
    assert capabilities.DRY_RUN_COMMAND == DRY_RUN_COMMAND
    assert semantic_tokens.LEGEND is capabilities.SEMANTIC_TOKENS
    assert completion.OPTIONS is capabilities.COMPLETION
    assert code_actions.PROVIDED_KINDS is capabilities.CODE_ACTION_KINDS
