"""dig-lsp: static analysis for digdag / Treasure Workflow ``.dig`` files.

The package is layered along the data flow, and lower layers never import higher ones
(``tests/test_layering.py`` enforces it; ``CONTRIBUTING.md`` lists each folder's modules):
``text`` (source text, spans) -> ``syntax`` (YAML node tree with positions, includes,
suppression comments) -> ``digdag`` (how digdag reads a value) -> ``model`` (projects, workflows,
task trees) -> ``embedded`` (JavaScript, SQL and shell inside values) -> ``analysis`` (the
evaluation context: scopes, exports, template sites and their resolution) -> ``checks`` ->
``engine`` -> ``cli`` / ``lsp`` / ``ide`` / ``dryrun``, with ``diagnostics`` and ``config`` at the bottom.
"""

__version__ = "0.1.0"
