"""Resolving ``!include`` the way digdag's ``YamlConfigLoader.ParameterizeContext`` does.

* Key position (``!include : file``): the included mapping is merged into the enclosing
  mapping at that point; where both sides hold a mapping under the same key they are
  deep-merged, otherwise the included value replaces the earlier one. A later plain key
  replaces an included one in place.
* Value position (``key: !include file``, also inside lists): the value becomes the
  included mapping.
* The name is taken literally (no ``${}``), resolved against the including file's
  directory, and must stay inside that directory (digdag checks a plain string prefix).
* Included nodes keep spans into the included file, so diagnostics point there.
* Bounded like aliases: the nodes includes bring in (each file counted at every include of it,
  aliases in it expanded) stop at MAX_EXPANDED_NODES, and nesting through includes at MAX_NESTING;
  past either the include is not read (a file including the next one ten times grew tenfold
  per level and never finished).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from dig_lsp.syntax import problems as kinds
from dig_lsp.syntax.loader import INCLUDE_TAG
from dig_lsp.syntax.nodes import Entry, Mapping, Node, Scalar, Sequence
from dig_lsp.syntax.parsed_files import ParsedFiles
from dig_lsp.syntax.problems import SyntaxProblem
from dig_lsp.text.files import LINKED_OUT_WORDS, is_inside, unreadable_reason
from dig_lsp.text.limits import MAX_EXPANDED_NODES, MAX_NESTING
from dig_lsp.text.quote import excerpt
from dig_lsp.text.span import Span


@dataclass(frozen=True, slots=True)
class IncludeRef:
    """One ``!include`` as written: where the name is and the file it resolves to."""

    name: str
    span: Span
    target: str | None  # None when the name could not be resolved to a readable file


@dataclass
class ResolvedTree:
    """A file's tree with every include spliced in, and what resolving found."""

    root: Node | None
    problems: list[SyntaxProblem] = field(default_factory=list)
    includes: list[IncludeRef] = field(default_factory=list)
    files: set[str] = field(default_factory=set)
    expanded: int = 0  # nodes the includes brought in so far
    limit_reported: bool = False
    # the includes being read, outermost (in the file resolved) first: a limit passed in an included
    # file is reported at the outermost one, so linting the workflow alone shows it
    trail: list[Span] = field(default_factory=list, repr=False)


class IncludeResolver:
    """Expands includes for any number of files, sharing one parse memo."""

    def __init__(self, files: ParsedFiles, project_root: str) -> None:
        self.files = files
        self.project_root = project_root
        self._shapes: dict[int, tuple[Node, tuple[int, int]]] = {}  # id(root) -> (root, tree_shape(root))

    def resolve(self, path: str) -> ResolvedTree:
        """The include-expanded tree of ``path`` (its own syntax problems included)."""
        result = ResolvedTree(None)
        result.root = self._file(path, (), result, 0)
        return result

    def _file(self, path: str, chain: tuple[str, ...], result: ResolvedTree, level: int) -> Node | None:
        """``path``'s tree with its includes spliced in; ``level``: the collections around where it goes."""
        parsed = self.files.parsed(path)
        result.files.add(path)
        if parsed is None:
            return None
        result.problems.extend(parsed.problems)
        if parsed.root is None:
            return None
        if not parsed.includes and not parsed.problems:
            return parsed.root  # nothing to include and no repeated key to drop: the tree as parsed
        return self._node(parsed.root, os.path.dirname(path), (*chain, path), result, level)

    def _node(self, node: Node, directory: str, chain: tuple[str, ...], result: ResolvedTree, level: int) -> Node:
        if isinstance(node, Scalar):
            if node.tag == INCLUDE_TAG:
                included = self._include(node, directory, chain, result, level)
                # a value that could not be included is an object whose members are unknown
                return included if included is not None else Mapping((), node.span, None, _unread(node))
            return node
        if isinstance(node, Sequence):
            items = tuple(self._node(i, directory, chain, result, level + 1) for i in node.items)
            if node.tag is None and all(new is old for new, old in zip(items, node.items, strict=True)):
                return node  # nothing included below: the parsed node itself (keeps its identity)
            return Sequence(items, node.span)
        return self._mapping(node, directory, chain, result, level)

    def _mapping(self, node: Mapping, directory: str, chain: tuple[str, ...], result: ResolvedTree,
                 level: int) -> Mapping:
        built: dict[str, Entry] = {}
        unresolved: str | None = None
        for entry in node.entries:
            if entry.key_tag == INCLUDE_TAG:
                if not isinstance(entry.value, Scalar):
                    result.problems.append(
                        SyntaxProblem(kinds.INCLUDE_NOT_FOUND, "an !include key needs a file name as its value",
                                      entry.value.span)
                    )
                    continue
                included = self._include(entry.value, directory, chain, result, level)  # merged into this one
                if isinstance(included, Mapping):
                    for merging in included.entries:
                        _merge_into(built, merging)
                    unresolved = unresolved or included.unresolved
                else:
                    unresolved = unresolved or _unread(entry.value)
                continue
            value = self._node(entry.value, directory, chain, result, level + 1)
            built[entry.key] = entry if value is entry.value else Entry(entry.key, entry.key_span, value,
                                                                        entry.key_tag)
        entries = tuple(built.values())
        unchanged = len(entries) == len(node.entries) and all(
            new is old for new, old in zip(entries, node.entries, strict=True))
        if unresolved is None and unchanged:
            # nothing included and no key repeated: the parsed mapping itself, so the model shares the
            # parse's nodes (an unchanged part of an edited file keeps its identity between analyses)
            return node
        return Mapping(entries, node.span, node.tag, unresolved)

    def _include(self, name_node: Scalar, directory: str, chain: tuple[str, ...],
                 result: ResolvedTree, level: int) -> Mapping | None:
        name = name_node.raw if isinstance(name_node.value, str) or name_node.value is None else str(
            name_node.value)
        span = name_node.span
        target = os.path.normpath(os.path.join(directory, name))
        problem = self._check_path(name, target, directory, span)
        if problem is not None:
            result.problems.append(problem)
            result.includes.append(IncludeRef(name, span, None))
            return None
        if target in chain:
            cycle = " -> ".join(os.path.basename(p) for p in (*chain[chain.index(target):], target))
            result.problems.append(SyntaxProblem(kinds.INCLUDE_CYCLE, f"!include cycle: {cycle}", span))
            result.includes.append(IncludeRef(name, span, target))
            return None
        if self.files.source(target) is None:
            result.files.add(target)
            result.problems.append(
                SyntaxProblem(kinds.INCLUDE_NOT_FOUND,
                              f"included file {excerpt(name)!r} {unreadable_reason(target)}", span)
            )
            result.includes.append(IncludeRef(name, span, None))
            return None
        result.includes.append(IncludeRef(name, span, target))
        if self._over_limits(target, name, span, level, result):
            return None
        result.trail.append(span)
        root = self._file(target, chain, result, level)
        result.trail.pop()
        if root is None:
            return None
        if not isinstance(root, Mapping):
            result.problems.append(
                SyntaxProblem(kinds.INCLUDE_NOT_MAPPING,
                              f"included file {excerpt(name)!r} must hold a YAML mapping", span)
            )
            return None
        return root

    def _over_limits(self, target: str, name: str, span: Span, level: int, result: ResolvedTree) -> bool:
        """Whether including ``target`` here passes MAX_EXPANDED_NODES (counted across all the includes
        of this tree) or MAX_NESTING (``level`` collections around the include): reported, not read.

        Counted before the file is read in, from its own tree: the files it includes in turn are
        counted when their includes are met, so the work stops with the count."""
        parsed = self.files.parsed(target)
        if parsed is None or parsed.root is None:
            return False
        nodes, nesting = self._shape(parsed.root)
        if level + nesting > MAX_NESTING:
            _report_limit(result, span, f"nesting through !include is deeper than {MAX_NESTING} levels; "
                          f"{excerpt(name)!r} was not read")
            return True
        result.expanded += nodes
        if result.expanded <= MAX_EXPANDED_NODES:
            return False
        if not result.limit_reported:
            result.limit_reported = True
            _report_limit(result, span, f"!include expands to more than {MAX_EXPANDED_NODES} nodes (an included "
                          f"file counts at every include of it); {excerpt(name)!r} and the includes after it "
                          "are not read")
        return True

    def _shape(self, root: Node) -> tuple[int, int]:
        cached = self._shapes.get(id(root))
        if cached is None or cached[0] is not root:
            cached = (root, tree_shape(root))
            self._shapes[id(root)] = cached
        return cached[1]

    def _check_path(self, name: str, target: str, directory: str, span: Span) -> SyntaxProblem | None:
        if not name.strip():
            return SyntaxProblem(kinds.INCLUDE_NOT_FOUND, "!include needs a file name", span)
        # digdag: `path.toString().startsWith(includeDir.toString())` (a plain prefix test).
        if os.path.isabs(name) or not target.startswith(directory):
            return SyntaxProblem(
                kinds.INCLUDE_OUTSIDE,
                f"!include {excerpt(name)!r} leaves the including file's directory",
                span,
            )
        if not is_inside(target, self.project_root):  # inside its directory as written: through a link
            return SyntaxProblem(kinds.LINKED_OUT, f"!include {excerpt(name)!r} {LINKED_OUT_WORDS}", span)
        return None


def _report_limit(result: ResolvedTree, span: Span, message: str) -> None:
    """A DL114 problem at the outermost include being read, and where the limit was passed."""
    if not result.trail:
        result.problems.append(SyntaxProblem(kinds.RESOURCE_LIMIT, message, span))
        return
    result.problems.append(SyntaxProblem(kinds.RESOURCE_LIMIT, message, result.trail[0],
                                         ((span, "the !include that passes the limit"),)))


def tree_shape(root: Node) -> tuple[int, int]:
    """(nodes, nesting) of a tree: a shared (aliased) subtree counted at every use, as digdag expands
    it, and nesting in collections. Iterative, each distinct node visited once."""
    shapes: dict[int, tuple[int, int]] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in shapes:
            continue
        children = _children(node)
        if children and not children_done:
            stack.append((node, True))
            stack.extend((child, False) for child in children)
            continue
        nodes = 1 + sum(shapes[id(child)][0] for child in children)
        nesting = 0 if isinstance(node, Scalar) else 1 + max((shapes[id(child)][1] for child in children), default=0)
        shapes[id(node)] = (nodes, nesting)
    return shapes[id(root)]


def _children(node: Node) -> list[Node]:
    if isinstance(node, Mapping):
        return [entry.value for entry in node.entries]
    return list(node.items) if isinstance(node, Sequence) else []


def _unread(name_node: Scalar) -> str:
    """How a mapping tells that an include could not be read: the include, at its position."""
    line = name_node.span.start.line + 1
    where = f"{os.path.basename(name_node.span.path)}:{line}"
    return f"the !include of {excerpt(name_node.raw)!r} that could not be read ({where})"


def _merge_into(built: dict[str, Entry], merging: Entry) -> None:
    existing = built.get(merging.key)
    if existing is not None and isinstance(existing.value, Mapping) and isinstance(merging.value, Mapping):
        built[merging.key] = Entry(existing.key, existing.key_span, deep_merge(existing.value, merging.value),
                                   existing.key_tag)
    else:
        built[merging.key] = merging if existing is None else Entry(
            merging.key, merging.key_span, merging.value, merging.key_tag)


def deep_merge(dest: Mapping, src: Mapping) -> Mapping:
    """digdag's ``mergeObject``: mappings merge recursively, anything else is replaced."""
    built = {entry.key: entry for entry in dest.entries}
    for entry in src.entries:
        _merge_into(built, entry)
    return Mapping(tuple(built.values()), dest.span, dest.tag)
