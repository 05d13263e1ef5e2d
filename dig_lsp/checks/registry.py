"""Looking rules up by code or name (the list itself is in ``dig_lsp/checks/__init__.py``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from dig_lsp.checks.base import Rule


class Registry:
    """An ordered, duplicate-free set of rules."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self._rules: dict[str, Rule] = {}
        names: set[str] = set()
        for rule in rules:
            if rule.code in self._rules or rule.name in names:
                raise ValueError(f"duplicate rule {rule.code} {rule.name}")
            self._rules[rule.code] = rule
            names.add(rule.name)

    def __iter__(self) -> Iterator[Rule]:
        return iter(sorted(self._rules.values(), key=lambda rule: rule.code))

    def __len__(self) -> int:
        return len(self._rules)

    def get(self, code_or_name: str) -> Rule | None:
        """A rule by its code (any case) or its name."""
        rule = self._rules.get(code_or_name.upper())
        if rule is not None:
            return rule
        return next((r for r in self._rules.values() if r.name == code_or_name), None)

    def knows(self, pattern: str) -> bool:
        """Whether a select/ignore pattern (code, prefix, name or ALL) matches any rule."""
        upper = pattern.upper()
        return upper == "ALL" or any(r.code.startswith(upper) or r.name == pattern for r in self)
