"""Settings: which checks run, at what severity, for which files, and where they come from.

Read from ``.dig-lint.toml`` (top-level keys) or the ``[tool.dig-lint]`` table of
``pyproject.toml``, whichever is found first walking up from the linted path; command-line
options override the file.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from dig_lsp.diagnostics import RULE_DOCS, Severity
from dig_lsp.text.files import read_regular_file
from dig_lsp.text.quote import excerpt

if TYPE_CHECKING:
    import tomllib

PROFILES = ("digdag", "treasure-data")
CONFIG_FILE = ".dig-lint.toml"
MAX_CONFIG_BYTES = 1024 * 1024  # a pyproject.toml is kilobytes; the bound keeps parsing fast on anything
MAX_CONFIG_NESTING = 100  # levels of arrays and inline tables (tomllib recurses once per level)
MAX_NUMBER_CHARS = 100  # a TOML integer is 64-bit (19 digits); int() is quadratic in the digits


class ConfigError(ValueError):
    """A configuration file or option that cannot be used; the CLI exits with code 2.

    It carries where the problem is (1-based line and column in characters, when known), so the
    message reads ``path:line:col: message`` like every other diagnostic of the tool.
    """

    def __init__(self, message: str, path: str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        self.message, self.path, self.line, self.column = message, path, line, column
        where = path if path is None or line is None else f"{path}:{line}:{column or 1}"
        super().__init__(message if where is None else f"{where}: {message}")


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
    # where the diagnostics' links to the rule pages point (output only: not in the fingerprint)
    docs_url: str = RULE_DOCS

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
        # the base folder only matters to per-path ignores: without them, where dig-lint is run from must
        # not change the key (linting the same tree from another folder missed every entry)
        base = self.base_dir if self.per_path_ignores else None
        return repr((self.select, self.ignore, self.severities, self.per_path_ignores, self.profile,
                     self.plugin_operators, self.runtime_params, base))


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
        if os.path.isfile(pyproject) and _has_dig_lint_table(_read_toml(pyproject)):
            return pyproject
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _has_dig_lint_table(data: dict[str, Any]) -> bool:
    tool = data.get("tool")
    return isinstance(tool, dict) and "dig-lint" in tool


# ---------------------------------------------------------------------------------------- reading

def _read_toml(path: str) -> dict[str, Any]:
    """A configuration file, read and parsed; every way it can be unusable is a :class:`ConfigError`."""
    return _parse_toml(_read_config_text(path), path)


def _read_config_text(path: str) -> str:
    """The file's text, read through the gate: found by walking up from an untrusted folder, it may be a
    FIFO (an open would block) or a link to a device (a read would never end). Configuration files are
    kilobytes, so anything over :data:`MAX_CONFIG_BYTES` is refused before it is parsed."""
    data = read_regular_file(path, MAX_CONFIG_BYTES)
    if data is None:
        raise ConfigError(f"cannot read configuration: not a regular file of at most "
                          f"{MAX_CONFIG_BYTES // 1024} KiB", path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _byte_position(data, error.start)
        raise ConfigError(f"invalid UTF-8 (byte 0x{data[error.start]:02x}): a configuration file is UTF-8 text",
                          path, line, column) from None


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and character column of a byte offset (the bytes before it decode: it is the first bad one)."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, len(data[line_start:offset].decode("utf-8", "replace")) + 1


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of an offset; TOML lines end at ``\\n`` only."""
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _parse_toml(text: str, path: str) -> dict[str, Any]:
    """``tomllib.loads`` with its two unbounded paths closed first (:func:`_structure_problem`), and any
    error it still raises turned into a positioned :class:`ConfigError`, never a traceback.

    tomllib is imported here, when a configuration file is read: 5-7 ms of a one-file run (pre-commit's)
    in a repository that has none."""
    import tomllib

    problem = _structure_problem(text)
    if problem is not None:
        offset, message = problem
        raise ConfigError(message, path, *_position(text, offset))
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _decode_error(error, text, path) from None
    except (RecursionError, ValueError) as error:  # a bound the pre-scan missed: still no traceback
        raise ConfigError(f"cannot read configuration: {excerpt(str(error) or type(error).__name__)}",
                          path) from None


# What tomllib cannot take: it recurses once per level of arrays and inline tables (a few thousand levels
# exhaust the stack), and it converts integers with int(), which refuses more than 4,300 digits (and is
# quadratic in the digits where that limit is lifted). The scan skips comments and strings, so a long
# string or a bracket inside one is never mistaken for either; an unterminated string runs to its end
# (a multi-line one to the end of the text), so every alternative matches in one pass.
_LEXEME = re.compile(r"""
    \#[^\n]*
  | \"\"\"(?:\\.|[^\\])*?(?:\"\"\"|\Z)
  | '''.*?(?:'''|\Z)
  | "(?:\\.|[^"\\\n])*"?
  | '[^'\n]*'?
  | (?P<open>[\[{])
  | (?P<close>[\]}])
  | (?P<number>[+-]?[0-9][0-9A-Za-z_+\-.:]*)
  | [A-Za-z_-][A-Za-z0-9_-]*
""", re.VERBOSE | re.DOTALL)
_LONG_RUN = re.compile(rf"[0-9A-Za-z_+\-.:]{{{MAX_NUMBER_CHARS + 1}}}")


def _structure_problem(text: str) -> tuple[int, str] | None:
    """Where the text nests deeper than :data:`MAX_CONFIG_NESTING` or holds a number longer than
    :data:`MAX_NUMBER_CHARS`, with the message; None for ordinary files (two C-speed tests skip the scan)."""
    if text.count("[") + text.count("{") <= MAX_CONFIG_NESTING and not _LONG_RUN.search(text):
        return None
    depth = 0
    for match in _LEXEME.finditer(text):
        if match["open"]:
            depth += 1
            if depth > MAX_CONFIG_NESTING:
                return match.start(), (f"nesting too deep (more than {MAX_CONFIG_NESTING} levels of arrays "
                                       "and inline tables)")
        elif match["close"]:
            depth = max(0, depth - 1)
        elif match["number"] and len(match["number"]) > MAX_NUMBER_CHARS:
            return match.start(), (f"number too long ({len(match['number']):,} characters; "
                                   f"at most {MAX_NUMBER_CHARS})")
    return None


_DECODE_AT = re.compile(r"line (?P<line>\d{1,9}), column (?P<column>\d{1,9})|end of document")


def _decode_error(error: tomllib.TOMLDecodeError, text: str, path: str) -> ConfigError:
    """tomllib's error with its position taken from its attributes (3.14+) or out of the message (3.11-3.13)."""
    message, line, column = str(error), getattr(error, "lineno", None), getattr(error, "colno", None)
    own = getattr(error, "msg", None)
    if isinstance(own, str) and isinstance(line, int):
        message = own
    else:  # "message (at line 3, column 7)" or "message (at end of document)"
        head, separator, tail = message.rpartition(" (at ")
        match = _DECODE_AT.fullmatch(tail.removesuffix(")")) if separator and tail.endswith(")") else None
        if match is not None:
            message = head
            line, column = (int(match["line"]), int(match["column"])) if match["line"] else _position(text, len(text))
    return ConfigError(f"invalid TOML: {excerpt(message)}", path, line, column)


# --------------------------------------------------------------------------------------- settings

SETTING_KEYS = ("select", "ignore", "severity", "per-path-ignores", "profile", "plugin-operators",
                "runtime-params", "fail-on", "docs-url")
LEVELS = tuple(severity.label for severity in sorted(Severity, reverse=True))
RuleProblem = Callable[[str], "str | None"]


class _Invalid(Exception):
    """A value that cannot be used, at ``keys`` (its dotted path below the dig-lint table)."""

    def __init__(self, keys: tuple[str, ...], message: str) -> None:
        super().__init__(message)
        self.keys, self.message = keys, message


def load_settings(path: str | None, rule_problem: RuleProblem | None = None) -> Settings:
    """Settings from a config file (defaults when ``path`` is None).

    ``rule_problem`` says what is wrong with a code or rule name (None when it is known); the CLI passes
    it so that an unknown code is reported at its place in the file. It is a parameter because the
    registry of checks sits above this module.
    """
    if path is None:
        return Settings()
    text = _read_config_text(path)
    data = _parse_toml(text, path)
    prefix = ("tool", "dig-lint") if os.path.basename(path) == "pyproject.toml" else ()
    try:
        settings = _settings_below(prefix, data, path, rule_problem)
    except _Invalid as problem:
        located = _locate(text, problem.keys) if problem.keys else None
        shown = problem.keys[len(prefix):] if problem.keys[: len(prefix)] == prefix else ()
        raise ConfigError(_with_keys(shown, problem.message), path, *(located or (None, None))) from None
    return settings


def _settings_below(prefix: tuple[str, ...], data: dict[str, Any], path: str,
                    rule_problem: RuleProblem | None) -> Settings:
    """The settings of the table at ``prefix``; a problem's keys are made absolute, to be found in the text."""
    table = _table_at(data, prefix)
    try:
        settings = _settings_from(table, path)
        if rule_problem is not None:
            _check_rules(settings, rule_problem)
    except _Invalid as problem:
        raise _Invalid(prefix + problem.keys, problem.message) from None
    return settings


def _with_keys(keys: tuple[str, ...], message: str) -> str:
    return f"{excerpt('.'.join(keys))}: {message}" if keys else message


def _table_at(data: dict[str, Any], prefix: tuple[str, ...]) -> dict[str, Any]:
    """The dig-lint table (``[tool.dig-lint]`` of a pyproject.toml, else the whole file)."""
    table: Any = data
    for depth, key in enumerate(prefix):
        table = table.get(key, {})
        if not isinstance(table, dict):
            keys = prefix[: depth + 1]
            raise _Invalid(keys, f"{'.'.join(keys)} must be a table, found {_kind(table)}")
    return dict(table)


def _settings_from(table: dict[str, Any], path: str) -> Settings:
    _check_keys(table)
    return Settings(
        select=_string_list(table, "select"),
        ignore=_string_list(table, "ignore"),
        severities=_severities(table),
        per_path_ignores=_per_path_ignores(table),
        profile=_choice(table, "profile", PROFILES, "digdag"),
        plugin_operators=_string_list(table, "plugin-operators"),
        runtime_params=_string_list(table, "runtime-params"),
        fail_on=Severity.parse(_choice(table, "fail-on", LEVELS, "warning")),
        docs_url=_docs_url(table),
        config_path=path,
        base_dir=os.path.dirname(os.path.abspath(path)),
    )


def _check_keys(table: dict[str, Any]) -> None:
    """Unknown keys are errors, so a typo does not pass silently: the first one, with did-you-mean."""
    unknown = [key for key in table if key not in SETTING_KEYS]
    if not unknown:
        return
    close = closest(unknown[0], SETTING_KEYS)
    hint = f"did you mean {close!r}?" if close else f"known settings: {', '.join(SETTING_KEYS)}"
    more = f" ({len(unknown) - 1} more unknown)" if len(unknown) > 1 else ""
    raise _Invalid((unknown[0],), f"unknown setting; {hint}{more}")


def _string_list(table: dict[str, Any], key: str) -> tuple[str, ...]:
    """A list of strings, or one comma-separated string."""
    value = table.get(key, [])
    if isinstance(value, str):
        return tuple(part for part in (p.strip() for p in value.split(",")) if part)
    if not isinstance(value, list):
        raise _Invalid((key,), f"expected a list of strings, found {_kind(value)}")
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise _Invalid((key,), f"expected a list of strings; item {index + 1} is {_kind(item)}")
    return tuple(value)


def _docs_url(table: dict[str, Any]) -> str:
    """The base of the links to the rule pages: a non-empty string without whitespace."""
    value = table.get("docs-url", RULE_DOCS)
    if not isinstance(value, str) or not value or any(char.isspace() for char in value):
        found = _kind(value) if not isinstance(value, str) else repr(excerpt(value))
        raise _Invalid(("docs-url",), 'expected a URL such as "https://example.com/dig-lsp/docs/rules/", '
                       f"found {found}")
    return value


def _severities(table: dict[str, Any]) -> tuple[tuple[str, Severity], ...]:
    value = table.get("severity", {})
    if not isinstance(value, dict):
        raise _Invalid(("severity",), f'expected a table such as {{ DL112 = "error" }}, found {_kind(value)}')
    return tuple((code, Severity.parse(_choice(value, code, LEVELS, "", ("severity",)))) for code in value)


def _per_path_ignores(table: dict[str, Any]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    value = table.get("per-path-ignores", {})
    if not isinstance(value, dict):
        raise _Invalid(("per-path-ignores",), 'expected a table such as { "legacy/*" = ["DL2"] }, '
                       f"found {_kind(value)}")
    try:
        return tuple((glob, _string_list(value, glob)) for glob in value)
    except _Invalid as problem:
        raise _Invalid(("per-path-ignores", *problem.keys), problem.message) from None


def _choice(table: dict[str, Any], key: str, choices: tuple[str, ...], default: str,
            parents: tuple[str, ...] = ()) -> str:
    """One of ``choices`` (case-insensitive), with did-you-mean for a near miss."""
    value = table.get(key, default)
    expected = f"expected one of {', '.join(choices)}"
    if not isinstance(value, str):
        raise _Invalid((*parents, key), f"{expected}, found {_kind(value)}")
    if value.lower() in choices:
        return value.lower()
    close = closest(value, choices)
    hint = f" (did you mean {close!r}?)" if close else ""
    raise _Invalid((*parents, key), f"{expected}, found {excerpt(value)!r}{hint}")


def _check_rules(settings: Settings, rule_problem: RuleProblem) -> None:
    """Every code, prefix or rule name the file names must match a rule."""
    named: list[tuple[tuple[str, ...], str]] = [(("select",), p) for p in settings.select]
    named += [(("ignore",), p) for p in settings.ignore]
    named += [(("severity", p), p) for p, _ in settings.severities]
    named += [(("per-path-ignores", glob), p) for glob, codes in settings.per_path_ignores for p in codes]
    for keys, pattern in named:
        problem = rule_problem(pattern)
        if problem is not None:
            raise _Invalid(keys, problem)


def _kind(value: object) -> str:
    """A TOML value's type, as a message names it."""
    if isinstance(value, bool):
        return "a boolean"
    kinds = ((str, "a string"), (int, "an integer"), (float, "a float"), (list, "an array"), (dict, "a table"))
    return next((name for kind, name in kinds if isinstance(value, kind)), "a date or time")


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate ``word`` most likely misspells: the only one it begins, else the nearest within a
    few edits (a swap of two letters is one edit; ``_`` and ``-`` are the same)."""
    from rapidfuzz import process  # only on an error: start-up (`dig-lint --version`) does without it
    from rapidfuzz.distance import OSA

    from dig_lsp.text.suggest import plausible

    options = plausible(word, candidates)  # never a word that contradicts the one written
    normal = word.strip().lower().replace("_", "-")
    prefixed = [c for c in options if len(normal) >= 2 and c.lower().startswith(normal)]
    if len(prefixed) == 1:
        return prefixed[0]
    found = process.extractOne(normal, [c.lower() for c in options], scorer=OSA.distance,
                               score_cutoff=max(2, len(normal) // 3))
    return None if found is None else options[found[2]]


# ------------------------------------------------------------------------------ where, in the text

# Matched at the start of a line only (\A), and possessive: a line is read once, never re-read from
# every position (a search over a long run of key characters was quadratic).
_KEY_PART = r"""(?:[A-Za-z0-9_-]++|"(?:[^"\\\n]|\\.)*+"|'[^'\n]*+')"""
_DOTTED_KEY = rf"{_KEY_PART}(?:[ \t]*+\.[ \t]*+{_KEY_PART})*+"
_HEADER = re.compile(rf"\A[ \t]*+\[\[?[ \t]*+(?P<key>{_DOTTED_KEY})[ \t]*+\]")
_ASSIGNMENT = re.compile(rf"\A[ \t]*+(?P<key>{_DOTTED_KEY})[ \t]*+=")


def _key_parts(text: str) -> tuple[str, ...]:
    return tuple(part[1:-1] if part[:1] in "\"'" else part for part in re.findall(_KEY_PART, text))


def _locate(text: str, keys: tuple[str, ...]) -> tuple[int, int] | None:
    """Line and column of the deepest of ``keys`` written in the file, if at least the setting is found
    (best effort: tomllib keeps no positions). Headers and ``key =`` lines give full dotted paths; a key
    inside an inline table is looked for on its parent's line."""
    lines = text.split("\n")
    best: tuple[int, int, int] | None = None  # depth matched, line index, column index
    header: tuple[str, ...] = ()
    for index, line in enumerate(lines):
        match = _HEADER.match(line)
        if match is not None:
            header = path = _key_parts(match["key"])
        else:
            match = _ASSIGNMENT.match(line)
            if match is None:
                continue
            path = header + _key_parts(match["key"])
        depth = _common_depth(path, keys)
        if best is None or depth > best[0]:
            best = (depth, index, match.start("key"))
    if best is None:
        return None
    depth, index, column = best
    while depth < len(keys):  # the rest may be written inline: `severity = { DL112 = 3 }`
        inner = _inline_key(lines[index], column, keys[depth])
        if inner is None:
            break
        depth, column = depth + 1, inner
    return (index + 1, column + 1) if depth >= min(len(keys), _setting_depth(keys)) else None


def _setting_depth(keys: tuple[str, ...]) -> int:
    """How deep the setting's own key is: a position is only given once the setting itself is found."""
    return 3 if keys[:2] == ("tool", "dig-lint") else 1


def _common_depth(path: tuple[str, ...], keys: tuple[str, ...]) -> int:
    depth = 0
    for mine, wanted in zip(path, keys, strict=False):
        if mine != wanted:
            break
        depth += 1
    return depth


def _inline_key(line: str, start: int, key: str) -> int | None:
    """Where ``key =`` is written in an inline table on ``line`` after ``start``."""
    quoted = re.escape(key)
    pattern = rf"""(?<![A-Za-z0-9_-])(?:{quoted}|"{quoted}"|'{quoted}')[ \t]*="""
    match = re.compile(pattern).search(line, start + 1)
    return None if match is None else match.start()


def with_overrides(settings: Settings, **changes: Any) -> Settings:
    """A copy with the given fields replaced (command-line options)."""
    return replace(settings, **{k: v for k, v in changes.items() if v is not None})
