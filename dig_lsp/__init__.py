"""dig-lsp: static analysis for digdag / Treasure Workflow ``.dig`` files.

The package is layered along the data flow, and lower layers never import higher ones:
``text`` (source text, spans) -> ``syntax`` (YAML node tree with positions, includes,
suppression comments) -> ``model`` (projects, workflows, task trees) -> ``checks`` ->
``diagnostics`` -> ``engine`` -> ``cli`` / ``lsp``.
"""

__version__ = "0.1.0"
