"""Count what dig-lint reports on folders of real projects, so a reviewer can triage it.

For each folder given (default: ``../shared/corpus/digdag`` and ``../shared/corpus/treasure-boxes``
beside the repository) it prints the number of workflow files, how many of them get at least one
error or warning, the count of diagnostics per code and severity, and the files with the most
errors and warnings. With ``--verified FILE`` (a TSV with ``path``, ``line``, ``code`` columns, like
``../shared/corpus/TREASURE_BOXES_FINDINGS.tsv``) it also splits errors and warnings into verified
findings and unverified ones (to be triaged: each is a false alarm or a new finding to verify).

    .venv/bin/python bench/findings_report.py
    .venv/bin/python bench/findings_report.py path/to/projects --top 30
    .venv/bin/python bench/findings_report.py ../shared/corpus/treasure-boxes \\
        --verified ../shared/corpus/TREASURE_BOXES_FINDINGS.tsv --list
    .venv/bin/python bench/findings_report.py --messages      # message lengths: median, longest per code
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dig_lsp.config import Settings  # noqa: E402
from dig_lsp.diagnostics import Diagnostic, Severity  # noqa: E402
from dig_lsp.engine import analyse  # noqa: E402
from dig_lsp.model.targets import plan  # noqa: E402

DEFAULT_FOLDERS = [ROOT.parent / "shared" / "corpus" / "digdag", ROOT.parent / "shared" / "corpus" / "treasure-boxes"]
Key = tuple[str, int, str]


def lint(folder: Path) -> list[Diagnostic]:
    """Every diagnostic of every project under ``folder`` (no cache, one process, default settings)."""
    found: set[Diagnostic] = set()
    for unit in plan([str(folder)]):
        found.update(analyse(unit, Settings()).diagnostics)
    return sorted(found, key=Diagnostic.sort_key)


def read_verified(path: Path) -> set[Key]:
    with path.open(encoding="utf-8") as handle:
        rows = csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t")
        return {(row["path"], int(row["line"]), row["code"]) for row in rows}


def report(folder: Path, verified: set[Key] | None, top: int, listing: bool) -> dict[str, object]:
    diagnostics = lint(folder)
    workflows = sorted(str(p.relative_to(folder)) for p in folder.rglob("*.dig") if p.is_file())
    relative = {d: Path(d.path).resolve().relative_to(folder.resolve()).as_posix() for d in diagnostics}
    serious = [d for d in diagnostics if d.severity >= Severity.WARNING]
    per_code = Counter(f"{d.code} {d.severity.label}" for d in diagnostics)
    per_file = Counter(relative[d] for d in serious)
    dig_files_hit = {path for path in per_file if path.endswith(".dig")}
    result: dict[str, object] = {
        "folder": str(folder),
        "workflow_files": len(workflows),
        "workflow_files_with_errors_or_warnings": len(dig_files_hit),
        "errors": sum(d.severity is Severity.ERROR for d in diagnostics),
        "warnings": sum(d.severity is Severity.WARNING for d in diagnostics),
        "infos": sum(d.severity is Severity.INFO for d in diagnostics),
        "per_code": dict(sorted(per_code.items())),
        "top_files": per_file.most_common(top),
        "messages": message_lengths(diagnostics),
    }
    if verified is not None:
        keys = {(relative[d], d.span.start.line + 1, d.code): d for d in serious}
        unverified = sorted(key for key in keys if key not in verified)
        result["verified_reported"] = len(set(keys) & verified)
        result["verified_missed"] = sorted(verified - set(keys))
        result["unverified"] = len(unverified)
        result["unverified_per_code"] = dict(Counter(code for _, _, code in unverified))
        result["files_with_unverified"] = len({path for path, _, _ in unverified})
        if listing:
            result["unverified_list"] = [f"{p}:{line}: {code} {keys[(p, line, code)].message}"
                                         for p, line, code in unverified]
    return result


def message_lengths(diagnostics: list[Diagnostic]) -> dict[str, object]:
    """How long the messages are (in characters): the median, and the longest message of each code."""
    lengths = [len(d.message) for d in diagnostics]
    longest: dict[str, Diagnostic] = {}
    for d in diagnostics:
        if d.code not in longest or len(d.message) > len(longest[d.code].message):
            longest[d.code] = d
    return {
        "count": len(lengths),
        "median": statistics.median(lengths) if lengths else 0,
        "over_100": sum(length >= 100 for length in lengths),
        "longest": sorted(((len(d.message), d.code, d.message) for d in longest.values()), reverse=True),
    }


def print_messages(result: dict[str, object]) -> None:
    messages = result["messages"]
    assert isinstance(messages, dict)
    print(f"messages: {messages['count']}, median {messages['median']} characters, "
          f"{messages['over_100']} of 100 or more; the longest of each code:")
    for length, code, message in messages["longest"]:
        print(f"  {length:>4}  {code}  {message}")


def print_text(result: dict[str, object]) -> None:
    print(f"== {result['folder']}")
    share = result["workflow_files_with_errors_or_warnings"]
    print(f"workflow files: {result['workflow_files']}, with an error or warning: {share}")
    print(f"errors {result['errors']}, warnings {result['warnings']}, infos {result['infos']}")
    print("per code:")
    for code, count in dict(result["per_code"]).items():  # type: ignore[call-overload]
        print(f"  {code:<16} {count:>6}")
    print("files with the most errors and warnings:")
    for path, count in result["top_files"]:  # type: ignore[attr-defined]
        print(f"  {count:>5}  {path}")
    if "unverified" in result:
        print(f"verified findings reported: {result['verified_reported']}, missed: {len(result['verified_missed'])}")  # type: ignore[arg-type]
        print(f"unverified errors/warnings: {result['unverified']} in {result['files_with_unverified']} files "
              f"{result['unverified_per_code']}")
        for line in result.get("unverified_list", []):  # type: ignore[attr-defined]
            print(f"  {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=DEFAULT_FOLDERS)
    parser.add_argument("--verified", type=Path, help="TSV of verified findings (path, line, code)")
    parser.add_argument("--top", type=int, default=15, help="how many files to list (default 15)")
    parser.add_argument("--list", action="store_true", help="list every unverified error/warning")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--messages", action="store_true", help="message lengths: the median, the longest per code")
    args = parser.parse_args()
    verified = read_verified(args.verified) if args.verified else None
    results = []
    for folder in args.folders:
        if not folder.is_dir():
            print(f"not a folder: {folder}", file=sys.stderr)
            return 2
        results.append(report(folder, verified, args.top, args.list))
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for result in results:
            print_messages(result) if args.messages else print_text(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
