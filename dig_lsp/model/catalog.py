"""The operator catalog: ``schemas/`` read once, lazily, into typed specs.

The JSON Schemas are the single source of operator facts (parameters, types, defaults,
files, stored variables...). Checks, hover and completion read them through this module;
``schemas/README.md`` documents the custom ``x-dig-*`` keywords.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

_SOURCE_TREE = Path(__file__).resolve().parents[2] / "schemas"


@dataclass(frozen=True)
class Parameter:
    """One parameter of an operator."""

    name: str
    schema: dict[str, Any]
    required: bool

    @property
    def description(self) -> str:
        """What the parameter does (shown on hover)."""
        return str(self.schema.get("description", ""))

    @property
    def type_label(self) -> str:
        """The JSON type(s) for messages and hover ("string", "integer | string"...)."""
        kind = self.schema.get("type")
        if isinstance(kind, list):
            return " | ".join(str(k) for k in kind)
        if kind is None and "oneOf" in self.schema:
            return " | ".join(str(s.get("type", "any")) for s in self.schema["oneOf"])
        return str(kind or "any")

    @property
    def secrets(self) -> tuple[str, ...]:
        """Secret keys that can supply the parameter."""
        value = self.schema.get("x-dig-secret")
        if value is None:
            return ()
        return (value,) if isinstance(value, str) else tuple(value)

    @property
    def file_kind(self) -> str | None:
        """What kind of file the value names, if it names one."""
        kind = self.schema.get("x-dig-file")
        return None if kind is None else str(kind)


@dataclass(frozen=True)
class StoredVariable:
    """A variable a task stores for later tasks (or exports to its children)."""

    name: str
    when: str | None
    description: str


@dataclass(frozen=True)
class OperatorSpec:
    """Everything the catalog knows about one operator."""

    name: str
    schema: dict[str, Any] = field(repr=False)
    parameters: dict[str, Parameter] = field(repr=False)

    def _list(self, key: str) -> list[Any]:
        value = self.schema.get(key, [])
        return list(value) if isinstance(value, list) else []

    @cached_property
    def file_parameters(self) -> tuple[tuple[str, str], ...]:
        """``(parameter, file kind)`` of every parameter naming a file (asked for every task of every
        analysis, so worked out once per operator)."""
        return tuple((name, kind) for name, parameter in self.parameters.items()
                     if (kind := parameter.file_kind) is not None)

    @property
    def description(self) -> str:
        """The operator's summary (first paragraph of its description)."""
        return str(self.schema.get("description", ""))

    @property
    def namespaces(self) -> tuple[str, ...]:
        """``_export`` mappings whose keys act as this operator's parameter defaults."""
        return tuple(self._list("x-dig-namespaces"))

    @property
    def takes_inline_data(self) -> bool:
        """Whether the command may be ``{data: <text>}`` instead of a file name: the operators that read
        it with digdag's ``Workspace.templateCommand`` (digdag-plugin-utils), which takes the text from
        ``_command.data`` (td>, pg>, bq>, mail>...). Their schemas give ``_command`` a file kind and
        the type object."""
        command = self.parameters.get("_command")
        kinds = command.schema.get("type") if command is not None else None
        return command is not None and command.file_kind is not None and isinstance(kinds, list) and "object" in kinds

    @property
    def passes_all_params(self) -> bool:
        """Whether every parameter reaches the operator (no unknown-parameter check)."""
        return bool(self.schema.get("x-dig-passes-all-params", False))

    @property
    def retry_ignored(self) -> bool:
        """Whether ``_retry`` on the task itself is ignored."""
        return self.schema.get("x-dig-retry") == "ignored"

    @property
    def supported_on_treasure_data(self) -> bool:
        """Whether Treasure Workflow runs this operator."""
        return bool(self.schema.get("x-dig-treasure-data", "supported") != "unsupported")

    @property
    def accepts(self) -> tuple[str, ...]:
        """Directives meaningful on this operator beyond the universal ones."""
        return tuple(self._list("x-dig-accepts"))

    @property
    def one_of(self) -> list[list[str]]:
        """Groups of which exactly one parameter must be given."""
        return [list(group) for group in self._list("x-dig-one-of")]

    @property
    def any_of(self) -> list[list[str]]:
        """Groups of which at least one parameter must be given, several being fine (``if>``: ``_do``,
        ``_else_do``, or both)."""
        return [list(group) for group in self._list("x-dig-any-of")]

    @property
    def first_wins(self) -> list[list[str]]:
        """Groups where, when several are given, the first is used and the others are ignored (no failure:
        ``Workspace.templateCommand`` reads ``_command`` when it is there, else ``query``)."""
        return [list(group) for group in self._list("x-dig-first-wins")]

    @property
    def exclusive(self) -> list[list[str]]:
        """Groups of which at most one parameter may be given."""
        return [list(group) for group in self._list("x-dig-exclusive")]

    @property
    def requires(self) -> dict[str, list[str]]:
        """Parameters that need others when given."""
        value = self.schema.get("x-dig-requires", {})
        return {k: list(v) for k, v in value.items()} if isinstance(value, dict) else {}

    @property
    def forbids(self) -> list[dict[str, Any]]:
        """Value-dependent conflicts."""
        return [rule for rule in self._list("x-dig-forbids") if isinstance(rule, dict)]

    @property
    def stores(self) -> list[StoredVariable]:
        """Variables stored for later tasks."""
        return [_stored(item) for item in self._list("x-dig-stores") if isinstance(item, dict)]

    @property
    def exports(self) -> list[StoredVariable]:
        """Variables exported to generated children."""
        return [_stored(item) for item in self._list("x-dig-exports") if isinstance(item, dict)]

    def required(self) -> list[Parameter]:
        """Parameters digdag fails without."""
        return [p for p in self.parameters.values() if p.required]


def _stored(item: dict[str, Any]) -> StoredVariable:
    return StoredVariable(str(item["name"]), item.get("when"), str(item.get("description", "")))


def _spec(name: str, schema: dict[str, Any]) -> OperatorSpec:
    required = set(schema.get("required", []))
    properties = schema.get("properties", {})
    parameters = {key: Parameter(key, value, key in required) for key, value in properties.items()}
    return OperatorSpec(name, schema, parameters)


class Catalog:
    """All schemas, by kind."""

    def __init__(self, operators: dict[str, OperatorSpec], others: dict[str, dict[str, Any]]) -> None:
        self.operators = operators
        self.others = others

    def operator(self, name: str) -> OperatorSpec | None:
        """The spec of a built-in operator (name without ``>``)."""
        return self.operators.get(name)

    @cached_property
    def retry_ignoring_operators(self) -> frozenset[str]:
        """Built-in operators whose own `_retry` does nothing: they neither extend BaseOperator nor
        generate subtasks (`x-dig-retry: ignored`: echo, fail, wait, notify, s3_wait)."""
        return frozenset(spec.name for spec in self.operators.values() if spec.retry_ignored)

    def schema(self, name: str) -> dict[str, Any] | None:
        """A non-operator schema by file stem (``workflow``, ``group``, ``directives/_retry``...)."""
        return self.others.get(name)

    def __iter__(self) -> Iterator[OperatorSpec]:
        return iter(sorted(self.operators.values(), key=lambda spec: spec.name))


def schema_root() -> Any:
    """The folder of schemas: inside the installed package, else the source tree."""
    try:
        root = resources.files("dig_lsp.schemas")
        if root.joinpath("operators").is_dir():
            return root
    except (ModuleNotFoundError, TypeError):
        pass
    return _SOURCE_TREE


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    """The catalog, read on first use."""
    root = schema_root()
    operators: dict[str, OperatorSpec] = {}
    others: dict[str, dict[str, Any]] = {}
    folder = root.joinpath("operators")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            name = entry.name[: -len(".json")]
            operators[name] = _spec(name, json.loads(entry.read_text(encoding="utf-8")))
    for sub in ("", "directives"):
        base = root.joinpath(sub) if sub else root
        if not base.is_dir():
            continue
        for entry in sorted(base.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".json"):
                key = (f"{sub}/" if sub else "") + entry.name[: -len(".json")]
                others[key] = json.loads(entry.read_text(encoding="utf-8"))
    return Catalog(operators, others)
