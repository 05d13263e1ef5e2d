"""File and folder names for parameters that name a file (``td>: queries/``, ``call>:``, ``sh>:``'s script):
entries of the folder the typed path points into, never outside the project."""

from __future__ import annotations

import os
from collections.abc import Iterator

from dig_lsp.ide.completion.items import Item, ItemKind
from dig_lsp.ide.completion.placing import ValueRequest
from dig_lsp.text.files import is_inside

_FILE_SUFFIXES: dict[str, tuple[str, ...] | None] = {
    "sql": (".sql",), "dig": (".dig",), "yml": (".yml", ".yaml"), "json-or-yml": (".json", ".yml", ".yaml"),
    "ruby-file": (".rb",), "mail-body": None,
    "script": (".sh", ".bash", ".py", ".rb", ".pl", ".js", ".R", ".r"),
}


def file_items(request: ValueRequest, kind: str, workdir: str, root: str, current: str) -> Iterator[Item]:
    """Entries of the folder the typed path points into: subfolders and files of the wanted kind."""
    if kind not in _FILE_SUFFIXES:
        return
    suffixes = _FILE_SUFFIXES[kind]
    typed = request.typed
    if kind == "script":  # a command line: complete its last word
        typed = "" if not typed or typed[-1].isspace() else typed.split()[-1]
    folder, slash, tail = typed.rpartition("/")
    directory = os.path.normpath(os.path.join(workdir, folder))
    if os.path.isabs(folder) or not is_inside(directory, root):
        return
    start = request.context.offset - len(tail)
    lead = "" if slash else request.lead
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = os.path.normpath(entry.path)
        if entry.is_dir():
            yield Item(entry.name + "/", ItemKind.FOLDER, "folder", "", lead + entry.name + "/", start,
                       request.context.key_end, None, "1")
        elif (suffixes is None or entry.name.endswith(suffixes)) and path != current:
            shown = os.path.relpath(path, workdir)
            yield Item(entry.name, ItemKind.FILE, f"{kind} file {shown}", "", lead + entry.name, start,
                       request.context.key_end, None, "0")
