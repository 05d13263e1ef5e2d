"""The ``_export`` mappings in force for one task, outermost first: a value of the model that operators read
parameters through (:meth:`dig_lsp.model.operators.OperatorTask.given`). Which chain each task gets is a pass
over the project: :mod:`dig_lsp.analysis.exports`.
"""

from __future__ import annotations

from dataclasses import dataclass

from dig_lsp.syntax.nodes import Mapping, Node


@dataclass(frozen=True)
class ExportChain:
    """The ``_export`` mappings visible to one task; ``open_ended`` when a caller is unknown."""

    mappings: tuple[Mapping, ...]
    open_ended: bool = False

    def lookup(self, dotted: str) -> Node | None:
        """The innermost exported value at a dotted path (``td.database``), if any."""
        parts = dotted.split(".")
        for mapping in reversed(self.mappings):
            node: Node | None = mapping
            for part in parts:
                node = node.get(part) if isinstance(node, Mapping) else None
                if node is None:
                    break
            if node is not None:
                return node
        return None
