"""Settings: which checks run, at what severity, for which files, and where they come from.

Read from ``.dig-lint.toml`` (top-level keys) or the ``[tool.dig-lint]`` table of
``pyproject.toml``, whichever is found first walking up from the linted path; command-line
options override the file.
"""

from __future__ import annotations

import fnmatch
import os
import tomllib
from dataclasses import dataclass, field, replace
from typing import Any

from dig_lsp.diagnostics import Severity
from dig_lsp.text.files import read_regular_file
from dig_lsp.text.limits import MAX_FILE_BYTES

PROFILES = ("digdag", "treasure-data")
CONFIG_FILE = ".dig-lint.toml"


class ConfigError(ValueError):
    """A configuration file or option that cannot be used; the CLI exits with code 2."""


@dataclass(frozen=True)
class Settings:
    """Everything that changes what the analysis reports."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severities: tuple[tuple[str, Severity], ...] = ()
    per_path_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    profile: str = "digdag"
    plugin_operators: tuple[str, ...] = ()
    runtime_params: tuple[str, ...] = ()  # names passed with `digdag run -p` / `-P`: defined in every task
    fail_on: Severity = Severity.WARNING
    config_path: str | None = None
    base_dir: str = field(default_factory=os.getcwd)

    def is_enabled(self, code: str, name: str) -> bool:
        """Selection by code, code prefix (``DL2``) or rule name; ignore wins over select."""
        if any(_matches(code, name, pattern) for pattern in self.ignore):
            return False
        return not self.select or any(_matches(code, name, pattern) for pattern in self.select)

    def severity_for(self, code: str, name: str, default: Severity) -> Severity:
        """The configured severity of a rule, or its default."""
        for pattern, severity in self.severities:
            if _matches(code, name, pattern):
                return severity
        return default

    def ignored_at(self, path: str, code: str, name: str) -> bool:
        """Whether a per-path ignore (glob relative to the config file) covers ``code`` at ``path``."""
        if not self.per_path_ignores:
            return False
        relative = os.path.relpath(path, self.base_dir).replace(os.sep, "/")
        for pattern, codes in self.per_path_ignores:
            if fnmatch.fnmatch(relative, pattern) and any(_matches(code, name, c) for c in codes):
                return True
        return False

    def fingerprint(self) -> str:
        """What the cache keys on: every field that changes the analysis result."""
        return repr((self.select, self.ignore, self.severities, self.per_path_ignores, self.profile,
                     self.plugin_operators, self.runtime_params, self.base_dir))


def _matches(code: str, name: str, pattern: str) -> bool:
    pattern = pattern.strip()
    return pattern.upper() == "ALL" or code.startswith(pattern.upper()) or name == pattern


def find_config(start: str) -> str | None:
    """The nearest ``.dig-lint.toml``, or ``pyproject.toml`` with a ``[tool.dig-lint]`` table."""
    directory = os.path.abspath(start if os.path.isdir(start) else os.path.dirname(start) or ".")
    while True:
        candidate = os.path.join(directory, CONFIG_FILE)
        if os.path.isfile(candidate):
            return candidate
        pyproject = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(pyproject) and "dig-lint" in _read_toml(pyproject).get("tool", {}):
            return pyproject
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _read_toml(path: str) -> dict[str, Any]:
    """A configuration file, read through the gate: found by walking up from an untrusted folder, it may
    be a FIFO (an open would block) or a link to a device (a read would never end)."""
    data = read_regular_file(path)
    if data is None:
        raise ConfigError(f"{path}: cannot read configuration: not a regular file of at most "
                          f"{MAX_FILE_BYTES // (1024 * 1024)} MiB")
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: cannot read configuration: {error}") from None


def load_settings(path: str | None) -> Settings:
    """Settings from a config file (defaults when ``path`` is None)."""
    if path is None:
        return Settings()
    data = _read_toml(path)
    table = data.get("tool", {}).get("dig-lint", {}) if path.endswith("pyproject.toml") else data
    return settings_from_table(table, path)


def settings_from_table(table: dict[str, Any], path: str) -> Settings:
    """Validate a configuration table; unknown keys are errors so typos do not pass silently."""
    known = {"select", "ignore", "severity", "per-path-ignores", "profile", "plugin-operators", "runtime-params",
             "fail-on"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    try:
        severities = tuple((code, Severity.parse(level)) for code, level in table.get("severity", {}).items())
        per_path = tuple((glob, tuple(_string_list(codes, "per-path-ignores")))
                         for glob, codes in table.get("per-path-ignores", {}).items())
        settings = Settings(
            select=tuple(_string_list(table.get("select", []), "select")),
            ignore=tuple(_string_list(table.get("ignore", []), "ignore")),
            severities=severities,
            per_path_ignores=per_path,
            profile=str(table.get("profile", "digdag")),
            plugin_operators=tuple(_string_list(table.get("plugin-operators", []), "plugin-operators")),
            runtime_params=tuple(_string_list(table.get("runtime-params", []), "runtime-params")),
            fail_on=Severity.parse(str(table.get("fail-on", "warning"))),
            config_path=path,
            base_dir=os.path.dirname(os.path.abspath(path)),
        )
    except (ValueError, AttributeError, TypeError) as error:
        raise ConfigError(f"{path}: {error}") from None
    if settings.profile not in PROFILES:
        raise ConfigError(f"{path}: profile must be one of {', '.join(PROFILES)}, not {settings.profile!r}")
    return settings


def _string_list(value: Any, key: str) -> list[str]:
    if isinstance(value, str):
        return [part for part in (p.strip() for p in value.split(",")) if part]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ValueError(f"{key} must be a list of strings")


def with_overrides(settings: Settings, **changes: Any) -> Settings:
    """A copy with the given fields replaced (command-line options)."""
    return replace(settings, **{k: v for k, v in changes.items() if v is not None})
