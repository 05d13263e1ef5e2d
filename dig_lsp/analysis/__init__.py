"""Passes over a loaded project that the checks and the editor features share: the evaluation context.

The model (:mod:`dig_lsp.model`) says what the files declare; this layer works out what follows from it:
the scope of every task (:mod:`.scope`), the ``_export`` chains (:mod:`.exports`), the ``${...}`` template
sites (:mod:`.sites`) and their names resolved in those scopes (:mod:`.resolve`), the files each
operator task names (:mod:`.file_references`) and the module each ``py>`` task runs
(:mod:`.python_tasks`). :class:`.facts.Facts` builds each of these at most once per
analysis, on first use, and is what the checks (``ctx.facts``) and the editor features read.
"""
