"""Which operator a task runs, what the catalog says about it, and what it is given.

Shared by the parameter checks (and later hover/completion), so that "the parameters of
this task" means the same thing everywhere: the task's own keys except subtasks, the
operator key and directives.
"""

from __future__ import annotations

from dataclasses import dataclass

from dig_lsp.model.catalog import OperatorSpec, catalog
from dig_lsp.model.export_chain import ExportChain
from dig_lsp.model.workflow import Task
from dig_lsp.syntax.nodes import Entry, Mapping, Node

# Keys digdag itself reads on any task (reference §2); they are never operator parameters.
DIRECTIVES = frozenset({
    "_type", "_command", "_export", "_error", "_check", "_retry", "_env", "_do", "_else_do", "_parallel",
    "_background", "_after", "_secrets", "_disable", "_workdir",
})


@dataclass(frozen=True)
class OperatorTask:
    """A task whose operator the catalog knows, with its written parameters."""

    task: Task
    spec: OperatorSpec
    operator_key: str
    command: Node | None

    def own_parameters(self) -> list[Entry]:
        """Keys written on the task that are parameters (not subtasks, the operator key or directives)."""
        return [
            entry for entry in self.task.config.entries
            if not entry.key.startswith("+") and entry.key != self.operator_key and entry.key not in DIRECTIVES
        ]

    def given(self, name: str, chain: ExportChain) -> Node | None:
        """Where parameter ``name`` gets its value: own key, ``_command``, plain export, or namespace."""
        if name == "_command":
            return self.command if self.command is not None else self.task.config.get("_command")
        own_entry = self.task.config.entry(name)
        if own_entry is not None:
            return own_entry.value
        found = chain.lookup(name)
        if found is not None:
            return found
        for namespace in self.spec.namespaces:
            found = chain.lookup(f"{namespace}.{name}")
            if found is not None:
                return found
        return None


def operator_task(task: Task) -> OperatorTask | None:
    """The catalog view of a task, or None for groups, unknown and templated operators."""
    use = task.operator
    if use is None or task.disabled:
        return None
    spec = catalog().operator(use.name)
    if spec is None:
        return None
    return OperatorTask(task, spec, use.key, use.command)


# Operators a hosted digdag provides besides digdag's own, whose parameters are not documented here:
# accepted like plugin operators, never checked (reference section 13: Treasure Data also runs `ipynb>`).
HOSTED_OPERATORS = frozenset({"ipynb"})


# Where digdag finds the plugins of a task (``OperatorRegistry.getSpec``, digdag-core/.../agent/
# OperatorRegistry.java): its whole config, exports and its own keys merged (``OperatorManager.evalConfig``),
# with ``plugin:`` merged in as defaults, then ``repositories`` and ``dependencies`` read at the top. So
# ``plugin:`` or a bare ``dependencies:``, exported or on the task itself, loads plugins.
_PLUGIN_KEYS = ("plugin", "dependencies")


def plugin_declared(chain: ExportChain, config: Mapping) -> bool:
    """Whether the task declares plugins, exported or on itself (plugin operators cannot be listed
    statically)."""
    return any(config.get(key) is not None or chain.lookup(key) is not None for key in _PLUGIN_KEYS)
