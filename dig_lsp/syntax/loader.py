"""Compose YAML text into the position-keeping node tree.

ruamel.yaml *composes* (never constructs round-trip objects): with the C parser that is
about ten times faster than round-trip loading. Composing also leaves duplicate keys in
place, so every duplicate in every mapping can be reported, not just the first.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ruamel.yaml import YAML
from ruamel.yaml import main as ruamel_main
from ruamel.yaml import nodes as ry
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import MappingEndEvent, MappingStartEvent, SequenceEndEvent, SequenceStartEvent
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.resolver import VersionedResolver

from dig_lsp.syntax import problems as kinds
from dig_lsp.syntax.nodes import Entry, Mapping, Node, Scalar, Sequence, to_json_text
from dig_lsp.syntax.problems import SyntaxProblem
from dig_lsp.syntax.scalars import resolve_plain
from dig_lsp.text.limits import MAX_EXPANDED_NODES, MAX_NESTING, MAX_YAML_CHARS, nesting_offset, recursion_headroom
from dig_lsp.text.quote import excerpt
from dig_lsp.text.source import SourceFile
from dig_lsp.text.span import Position, Span

if TYPE_CHECKING:
    from dig_lsp.syntax.splice import EntryEdit

INCLUDE_TAG = "!include"
_EXOTIC_BREAK = re.compile("\r(?!\n)|[\x85\u2028\u2029]")
# Outside YAML 1.1's printable set (SnakeYAML's StreamReader uses the same one: \x09 \x0a \x0d \x20-\x7e
# \x85 \xa0-\ud7ff \ue000-\ufffd \U00010000-\U0010ffff), written as the few ranges outside it: the negated
# class took 4-6 ms to compile at every start (a tenth of a one-file run's own imports), these 0.7 ms;
# tests/test_loader.py compares the two over every code point.
_NON_PRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_STANDARD_TAG_PREFIX = "tag:yaml.org,2002:"
# Something that may be a YAML anchor (`&name` where a node can start); `&&` and `a&b` are not.
_ANCHOR = re.compile(r"(?:^|[\s\[{,])&[^\s\[\]{},&]")
_MERGE_TAG = _STANDARD_TAG_PREFIX + "merge"
# The longest key text kept for a non-scalar key (see _complex_key_text).
MAX_KEY_CHARS = 1_000
_OPENING_EVENTS = (MappingStartEvent, SequenceStartEvent)
_CLOSING_EVENTS = (MappingEndEvent, SequenceEndEvent)


@dataclass(frozen=True)
class ParsedFile:
    """A file's source, its tree (None when YAML could not be read) and its problems.

    ``spliceable``: the file is a clean block mapping whose top-level entries can be re-read one at a
    time after an edit (no problems, anchors, aliases or merge keys, every top-level key a plain scalar at
    column 0, only ``\n``/``\r\n`` line breaks); see :mod:`dig_lsp.syntax.splice`. ``edit``: for a parse
    made by re-reading one entry of an earlier parse, which entry and how the text after it moved (the
    incremental analysis reuses what the other entries gave).
    """

    source: SourceFile
    root: Node | None
    problems: tuple[SyntaxProblem, ...]
    spliceable: bool = False
    edit: EntryEdit | None = field(default=None, compare=False, repr=False)
    includes: bool = True  # it may hold `!include` tags (False only when none was met)
    # for a file that is not valid YAML, read in parts (``syntax/recover.py``): the parts that were not
    # read, where nothing but the YAML error is reported
    unparsed: tuple[Span, ...] = ()


def has_exotic_break(text: str) -> bool:
    """Whether ``text`` breaks a line where YAML does and our line table does not (lone CR, NEL, LS, PS)."""
    if "\r" not in text and "\x85" not in text and "\u2028" not in text and "\u2029" not in text:
        return False  # the common case, found by four scans in C instead of one slower regex
    return _EXOTIC_BREAK.search(text) is not None


class _PlainResolver(VersionedResolver):
    """Tags every implicit node by kind only: scalars are typed later by digdag's rules
    (``scalars.py``), so ruamel's own implicit resolution would be wasted work (it was half
    of composing time). Explicit tags (``!include``, ``!!int``) are kept by the composer."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:  # noqa: ARG002 - ruamel's signature
        if kind is ry.ScalarNode:
            return _STANDARD_TAG_PREFIX + "str"
        return _STANDARD_TAG_PREFIX + ("seq" if kind is ry.SequenceNode else "map")


# libyaml's parser from ruamel's C extension (ruamel.yaml.clib), None when it is not installed
_CParser: Any = getattr(ruamel_main, "CParser", None)


def _new_yaml() -> YAML:
    """ruamel's pure-Python loader, with our resolver: used only without the C extension."""
    yaml = YAML(typ="safe", pure=True)
    yaml.Resolver = _PlainResolver
    return yaml


@functools.cache
def _composer_class() -> Any:
    """libyaml's parser and composer (ruamel's C extension) with our resolver: one object per text.

    Why not ``YAML(typ="safe").compose_all``: every ``YAML()`` globs ruamel's folder for plug-ins (a
    directory listing per parsed file) and every ``compose_all`` defines a new loader class; that was half
    of the time composing the corpus took. The C parser keeps its own state, so one object per text is all
    a parse needs (``YAML.get_constructor_parser`` builds the same parser-and-resolver pair, plus a
    constructor composing never uses). Made on first use: without the C extension there is no such class.
    """

    class CComposer(_CParser, _PlainResolver):  # type: ignore[misc]
        def __init__(self, text: str) -> None:
            _CParser.__init__(self, text)
            self._parser = self._composer = self  # where ruamel's resolver looks for the parser
            _PlainResolver.__init__(self, loadumper=self)

    return CComposer


def _release(composer: Any) -> None:
    """Free libyaml's parser and drop the composer's references to itself (it is its own parser and
    resolver's "loadumper"): without that, every composed text left a reference cycle for the cyclic
    collector, holding the composer until the next full collection."""
    composer.dispose()
    vars(composer).clear()


def compose_documents(text: str) -> list[Any]:
    """Every YAML document of ``text`` composed into ruamel nodes (None for an empty one). Raises ruamel's
    errors (``YAMLError``, ``ValueError``...) as ``compose_all`` does."""
    if _CParser is None:  # pragma: no cover - no C extension on this interpreter (PyPy)
        return list(_new_yaml().compose_all(text))
    composer = _composer_class()(text)
    try:
        documents = []
        while composer.check_node():
            documents.append(composer.get_node())
        return documents
    finally:
        _release(composer)


def parse_events(text: str) -> Generator[Any, None, None]:
    """The parser's events for ``text``, one at a time (libyaml keeps explicit stacks: safe at any depth)."""
    if _CParser is None:  # pragma: no cover - no C extension on this interpreter (PyPy)
        yield from _new_yaml().parse(text)
        return
    parser = _composer_class()(text)
    try:
        while parser.check_event():
            yield parser.get_event()
    finally:
        _release(parser)


def parse(source: SourceFile) -> ParsedFile:
    """Parse one file. Never raises on bad input: problems are returned instead."""
    problems: list[SyntaxProblem] = [_decode_problem(source, p) for p in source.problems]
    if len(source.text) > MAX_YAML_CHARS:
        problems.append(
            SyntaxProblem(
                kinds.RESOURCE_LIMIT,
                f"the file holds {len(source.text):,} characters, more than the {MAX_YAML_CHARS:,} a YAML file may "
                "have to be analysed; it was not parsed (digdag runs at most 1,000 tasks per attempt)",
                source.span(0, 0),
            )
        )
        return ParsedFile(source, None, tuple(problems))
    deep = _too_deep(source) if nesting_offset(source.text) is not None else None
    if deep is not None:
        problems.append(
            SyntaxProblem(
                kinds.RESOURCE_LIMIT,
                f"nesting is deeper than {MAX_NESTING} levels; the file was not parsed",
                source.span(deep, deep + 1),
            )
        )
        return ParsedFile(source, None, tuple(problems))
    try:
        documents = compose_documents(source.text)
    except ReaderError:
        # The C reader reports a byte position; find the character ourselves.
        bad = _NON_PRINTABLE.search(source.text)
        problems.append(_reader_problem(source, bad.start() if bad else 0))
        return ParsedFile(source, None, tuple(problems))
    except MarkedYAMLError as error:
        problems.append(_marked_problem(source, error))
        return ParsedFile(source, None, tuple(problems))
    except (YAMLError, RecursionError, ValueError) as error:
        problems.append(SyntaxProblem(kinds.YAML_SYNTAX, f"invalid YAML: {error}", source.span(0, 0)))
        return ParsedFile(source, None, tuple(problems))
    builder = _TreeBuilder(source, problems)
    documents = [doc for doc in documents if doc is not None] or [None]
    try:
        with recursion_headroom():
            root = None if documents[0] is None else builder.build(documents[0])
    except RecursionError:
        problems.append(SyntaxProblem(kinds.RESOURCE_LIMIT, "nesting is too deep to be read; the file was not parsed",
                                      source.span(0, 0)))
        return ParsedFile(source, None, tuple(problems))
    for extra in documents[1:]:
        assert extra is not None
        start = _document_marker(source, extra.start_mark.index)
        problems.append(
            SyntaxProblem(
                kinds.MULTIPLE_DOCUMENTS,
                "a second YAML document; a workflow file holds exactly one",
                source.span(start, start + 3),
            )
        )
    if not isinstance(root, Mapping):
        got = "an empty file" if root is None else _describe(root)
        span = source.span(0, 0) if root is None else root.span
        problems.append(
            SyntaxProblem(
                kinds.NOT_A_MAPPING,
                f"the top level of a workflow file must be a mapping of keys, but this is {got}",
                span,
            )
        )
    return ParsedFile(source, root, tuple(problems), not problems and builder.spliceable(root),
                      includes=builder.includes > 0)


def _too_deep(source: SourceFile) -> int | None:
    """Where a collection first nests deeper than MAX_NESTING, counted exactly on the parser's events.

    The composer recurses once per level (in C: it kills the process past ~25,000), but libyaml's
    parser keeps explicit stacks, so counting its events is safe at any depth. It costs about a
    tenth of composing, and runs only when the cheap bound (``nesting_offset``) cannot rule deep
    nesting out: a file with many brackets in strings is still read.
    """
    depth = 0
    events = parse_events(source.text)
    try:
        for event in events:
            if isinstance(event, _OPENING_EVENTS):
                depth += 1
                if depth > MAX_NESTING:
                    return source.offset_of_mark(event.start_mark)
            elif isinstance(event, _CLOSING_EVENTS):
                depth -= 1
    except (YAMLError, ValueError):
        return None  # composing stops at the same error, no deeper than counted here
    finally:
        events.close()
    return None


def _document_marker(source: SourceFile, content_offset: int) -> int:
    """The ``---`` that starts the document whose content begins at ``content_offset``."""
    marker = source.text.rfind("---", 0, content_offset + 3)
    return marker if marker >= 0 else content_offset


def _describe(node: Scalar | Sequence) -> str:
    if isinstance(node, Sequence):
        return "a list"
    return f"the scalar {excerpt(node.raw)!r}" if node.raw else "null"


def _decode_problem(source: SourceFile, problem: Any) -> SyntaxProblem:
    kind = kinds.BYTE_ORDER_MARK if problem.kind == "bom" else kinds.ENCODING
    return SyntaxProblem(kind, problem.message, source.span(problem.offset, problem.offset + 1))


def _reader_problem(source: SourceFile, offset: int) -> SyntaxProblem:
    char = source.text[offset : offset + 1]
    code = f"U+{ord(char):04X}" if char else "an unprintable character"
    message = (
        f"character {code} is not allowed in YAML; remove it or write it as an escape "
        "inside a double-quoted string"
    )
    return SyntaxProblem(kinds.YAML_SYNTAX, message, source.span(offset, offset + 1))


def _marked_problem(source: SourceFile, error: MarkedYAMLError) -> SyntaxProblem:
    mark = error.problem_mark or error.context_mark
    offset = source.offset_of_mark(mark) if mark is not None else 0
    problem = (error.problem or "invalid YAML").strip()
    context = (error.context or "").strip()
    if "expected a single document" in context:
        return SyntaxProblem(kinds.MULTIPLE_DOCUMENTS, f"{context}: {problem}", source.span(offset, offset))
    started = source.offset_of_mark(error.context_mark) if error.context_mark is not None else None
    at_start = _where_it_started(source, started, problem, context)
    if at_start is not None:
        return at_start
    include = _include_tag_above(source, offset) if "expected key" in problem else None
    if include is not None:
        return include
    message = _sentence(source, offset, problem, context)
    related: tuple[tuple[Any, str], ...] = ()
    if message is None:  # a mistake without a sentence of ours: the parser's words, in a note
        message = "this is not valid YAML"
        related = ((source.span(offset, min(offset + 1, len(source.text))),
                    f"the YAML parser: {excerpt(f'{context}: {problem}' if context else problem)}"),)
    if error.context_mark is not None and error.problem_mark is not None:
        start = source.offset_of_mark(error.context_mark)
        if start != offset:
            related += ((source.span(start, start + 1), _started_here(context)),)
    end = min(offset + 1, len(source.text))
    return SyntaxProblem(kinds.YAML_SYNTAX, message, source.span(offset, end), related)


_INCLUDE_TAG = re.compile(r"!include:(?=[ \t])")  # `!include: x`: no space before the colon


def _include_tag_above(source: SourceFile, offset: int) -> SyntaxProblem | None:
    """``!include: file`` on the line above the key the parser stopped at: YAML reads ``!include:`` as a tag
    on the value ``file``, which leaves no key there, and the next key is where libyaml notices. The
    mistake is on the ``!include:`` line (the same advice as DL103's when the file parses)."""
    line = source.position(offset).line
    for number in range(line - 1, max(-1, line - 4), -1):
        text = source.line_text(number)
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        found = _INCLUDE_TAG.search(text)
        if found is None:
            return None
        start = source.offset(Position(number, found.start()))
        return SyntaxProblem(kinds.YAML_SYNTAX, "`!include:` is read as a YAML tag on the value after it, so this "
                             "line holds no key; write `!include : file` (a space before the colon)",
                             source.span(start, start + len("!include:")))
    return None


def _started_here(context: str) -> str:
    """The note at the place where what the parser was reading started, in our words."""
    for words, note in (("flow sequence", "the list opened here"), ("block collection", "the list starts here"),
                        ("mapping", "the mapping starts here"), ("quoted", "the quoted value starts here"),
                        ("simple key", "the key starts here")):
        if words in context:
            return note
    return "the value starts here"


def _where_it_started(source: SourceFile, started: int | None, problem: str, context: str) -> SyntaxProblem | None:
    """The mistakes libyaml notices only lines later, reported where the user wrote them.

    A key being typed (``  cre``) is found missing its ``:`` at the next key, or at the end of the file;
    a quote left open, at the end of the file. Both are reported where they start, which while typing
    is where the cursor is, in words that say what to write.
    """
    if started is None:
        return None
    text = source.text
    line_end = text.find("\n", started)
    written = text[started:len(text) if line_end < 0 else line_end].rstrip()
    if "simple key" in context and "expected ':'" in problem and written:
        word = excerpt(written)
        return SyntaxProblem(kinds.YAML_SYNTAX, f"'{word}' needs a ':' after it to be a key (`{word}: value`)",
                             source.span(started, started + len(written)))
    if "quoted scalar" in context and "end of stream" in problem and text[started:started + 1] in "'\"":
        quote = text[started]
        return SyntaxProblem(kinds.YAML_SYNTAX, f"the value opened with {quote} here is never closed: "
                             f"add the closing {quote}", source.span(started, started + 1))
    return None


def _template_in_flow(value: str) -> str | None:
    """The first item of a ``[...]`` or ``{...}`` value written on one line that holds an unquoted ``${...}``
    (``to: [${member.email}]``): in a flow collection a plain scalar ends at '{', so the template breaks the
    YAML (libyaml and digdag's SnakeYAML both refuse it)."""
    if value[:1] not in ("[", "{") or "${" not in value:
        return None
    closer = "]" if value[0] == "[" else "}"
    if not value.rstrip().endswith(closer):
        return None  # `[${name}] started`: text that starts with a bracket (the other message says so)
    for item in value.rstrip()[1:-1].split(","):
        key, colon, written = item.strip().rpartition(": ") if value[0] == "{" else ("", "", item.strip())
        if "${" in written and written[:1] not in ("'", '"'):
            return f'{key}{colon}"{excerpt(written, 40)}"'
    return None


def _sentence(source: SourceFile, offset: int, problem: str, context: str) -> str | None:
    """The YAML mistake at ``offset`` in one sentence that says what to write: the parser's own words
    (``while parsing a block mapping: did not find expected key``) name its state, not the mistake.
    Covers what libyaml reports for hand-written files; None for anything else."""
    char = source.text[offset : offset + 1]
    position = source.position(offset)
    line = source.line_text(position.line)
    value = line.lstrip().split(": ", 1)[-1].strip() if ": " in line else line.strip()
    if char == "\t":
        return "a tab character here; YAML indentation must use spaces"
    nbsp = no_break_space(source.text, source.offset(Position(position.line + 1, 0)))
    if nbsp is not None:
        where = source.position(nbsp)
        return f"line {where.line + 1} has a no-break space (U+00A0) where YAML needs a plain space; replace it"
    if "mapping values are not allowed" in problem:
        above = _continued_key(source, position.line)
        if above is not None:
            return (f"this line is indented more than '{excerpt(above, 40)}' above, so it continues its value; "
                    "indent it like that key")
        if value.startswith("!include") and ": " in line:
            # `+task: !include : file.dig` on one line: the include is a key (digdag's YamlConfigLoader merges
            # the file where `!include :` stands as a key), and a key cannot follow another on its line
            key = excerpt(line.lstrip().split(": ", 1)[0], 40)
            return f"`!include :` is a key of its own: write it on the line below '{key}:', indented one level"
        return "': ' cannot appear in a plain value; quote the value"
    templated = _template_in_flow(value)
    if templated is not None and ("flow" in context or "',' or" in problem):
        return (f"a ${{...}} inside [...] or {{...}} must be quoted: write `{templated}` (there, YAML reads "
                "'{' and '}' as its own brackets)")
    if "flow sequence" in context or "',' or ']'" in problem:
        if value.startswith("["):
            return "a value starting with '[' is a YAML list; quote the whole value if it is text"
        return "the list opened with '[' is not closed with ']'"
    if "flow mapping" in context or "',' or '}'" in problem:
        if value.startswith("{"):
            return "a value starting with '{' is a YAML mapping; quote the whole value if it is text"
        return "the mapping opened with '{' is not closed with '}'"
    if "expected key" in problem:
        if char == "-":
            return "a '-' list item cannot stand among the keys of a mapping"
        if value[:1] in ("[", "{"):
            kind = "list" if value[0] == "[" else "mapping"
            return f"a value starting with '{value[0]}' is a YAML {kind}; quote the whole value if it is text"
        return "a key is expected here; check this line's indentation against the lines above"
    if "undefined alias" in problem or "alias" in context:
        return "a value starting with '*' is a YAML alias; quote it if it is text"
    if "anchor" in context:
        return "a value starting with '&' is a YAML anchor; quote it if it is text"
    if "tag" in context:
        return "a value starting with '!' is a YAML tag; quote it if it is text"
    if "cannot start any token" in problem:
        shown = char if char.isprintable() else f"U+{ord(char):04X}" if char else "this character"
        return f"'{shown}' cannot start a plain YAML value; quote the value"
    if "unknown escape" in problem:
        return "unknown escape in a double-quoted value; write '\\\\' for a backslash, or use single quotes"
    if "document indicator" in problem or "document separator" in problem:
        return "'---' or '...' at the start of a line ends the YAML document, even inside a quoted value"
    if "block scalar" in context:
        return "'|' or '>' starts a YAML block of text that begins on the next line; quote the value if it is text"
    if "'-' indicator" in problem or "block sequence entries" in problem:
        return "a '-' list item is expected here; check this line's indentation"
    if "directive" in context:
        return "a line starting with '%' is a YAML directive; quote or indent the value"
    if "node content" in problem:
        return "a value is expected here"
    if "end of stream" in problem:
        return "the file ends inside an unfinished value"
    return None


def no_break_space(text: str, end: int) -> int | None:
    """The first U+00A0 before ``end`` standing where YAML needs a space (indenting a line, or after a
    key's ':'): editors and word processors put them there, and YAML reads them as text."""
    index = text.find("\xa0", 0, end)
    while index >= 0:
        before = text[index - 1] if index else "\n"
        if before in "\n:\xa0":
            return index
        index = text.find("\xa0", index + 1, end)
    return None


def _continued_key(source: SourceFile, line: int) -> str | None:
    """The key of the line above ``line`` when ``line`` is more indented and that key has a plain value
    on its own line: YAML then reads ``line`` as the rest of that value."""
    current = source.line_text(line)
    indent = len(current) - len(current.lstrip(" "))
    for number in range(line - 1, max(-1, line - 50), -1):
        above = source.line_text(number)
        stripped = above.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key, colon, value = above.strip().partition(": ")
        above_indent = len(above) - len(above.lstrip(" "))
        value = value.strip()
        if colon and indent > above_indent and value and value[0] not in "|>[{'\"&*!#":
            return key
        return None
    return None


class _TreeBuilder:
    """Turns ruamel nodes into ours, typing scalars and bounding alias expansion."""

    def __init__(self, source: SourceFile, problems: list[SyntaxProblem],
                 part: tuple[int, int, int] | None = None) -> None:
        """``part``: (offset, line, length) of the slice of ``source`` the composed nodes were read
        from, when it is not the whole text (a top-level entry re-read alone)."""
        self.source = source
        self.path = source.path
        self.base_offset, self.base_line, self.text_length = part or (0, 0, len(source.text))
        # the text read: scanned here only (a re-read entry's file was clean everywhere else)
        self.text = source.text[self.base_offset:self.base_offset + self.text_length] if part else source.text
        # YAML also breaks lines at a lone CR, NEL, LS and PS; our line table (like LSP) does not.
        self.exotic_breaks = has_exotic_break(self.text)
        self.problems = problems
        self.memo: dict[int, Node] = {}
        self.weights: dict[int, int] = {}
        self.expanded = 0
        self.limit_reported = False
        self.aliases = 0  # alias uses met (their targets may lie in another top-level entry)
        self.merges = 0  # merge keys met
        self.includes = 0  # `!include` tags met

    def spliceable(self, root: Node | None) -> bool:
        """Whether a tree built here can have its top-level entries re-read alone (see ParsedFile)."""
        if self.exotic_breaks or self.aliases or self.merges or not isinstance(root, Mapping):
            return False
        if "&" in self.text and _ANCHOR.search(self.text):
            return False  # an anchor name must be unique in the whole document (the C composer hides them)
        for entry in root.entries:
            if entry.key_span.start.column != 0 or entry.key_tag is not None or \
                    self.source.slice(entry.key_span) != entry.key or not entry.key:
                return False
        return True

    def span(self, start: Any, end: Any) -> Span:
        base = self.base_offset
        if self.exotic_breaks or end.index >= self.text_length:
            # Marks at the very end can name a line the text does not have; let the line table clamp.
            return self.source.span(base + start.index, base + end.index)
        # Marks carry code-point index, line and column already; no need to search the line table.
        lines = self.base_line
        return Span(self.path, Position(lines + start.line, start.column), Position(lines + end.line, end.column))

    def build(self, node: Any) -> Node:
        key = id(node)
        cached = self.memo.get(key)
        if cached is not None:
            # An alias: count what it expands to, as digdag (SnakeYAML) expands it.
            self.aliases += 1
            self.expanded += self.weights.get(key, 1)
            if self.expanded > MAX_EXPANDED_NODES:
                return self._limit(node)
            return cached
        self.expanded += 1
        before = self.expanded
        if isinstance(node, ry.ScalarNode):
            built: Node = self._scalar(node)
        elif isinstance(node, ry.SequenceNode):
            built = Sequence(tuple(self.build(item) for item in node.value), self._node_span(node),
                             _custom_tag(node))
        else:
            built = self._mapping(node)
        self.weights[key] = self.expanded - before + 1
        self.memo[key] = built
        return built

    def _limit(self, node: Any) -> Node:
        span = self._node_span(node)
        if not self.limit_reported:
            self.limit_reported = True
            self.problems.append(
                SyntaxProblem(
                    kinds.RESOURCE_LIMIT,
                    f"YAML aliases expand to more than {MAX_EXPANDED_NODES} nodes; the rest is not read",
                    span,
                )
            )
        return Scalar(None, "", "", span)

    def _node_span(self, node: Any) -> Span:
        return self.span(node.start_mark, node.end_mark)

    def _scalar(self, node: Any) -> Scalar:
        style = node.style or ""
        tag = _custom_tag(node)
        raw = node.value
        value: Any = raw
        if not style and tag is None:
            value = resolve_plain(raw)
        elif tag == INCLUDE_TAG:
            self.includes += 1
        elif tag is not None:
            self._unknown_tag(node, tag)
        return Scalar(value, raw, style, self._node_span(node), tag)

    def _unknown_tag(self, node: Any, tag: str) -> None:
        # `!include: x.yml` reads as the tag `!include:` on the value `x.yml`: the include key needs a space
        hint = "; write `!include : file` (a space before the colon)" if tag == INCLUDE_TAG + ":" else ""
        self.problems.append(
            SyntaxProblem(
                kinds.UNKNOWN_TAG,
                f"digdag has no YAML tag {tag!r}; '!include' is the only one{hint}",
                self._node_span(node),
            )
        )

    def _mapping(self, node: Any) -> Mapping:
        tag = _custom_tag(node)
        if tag is not None and tag != INCLUDE_TAG:
            self._unknown_tag(node, tag)
        entries: list[Entry] = []
        merge_sources: list[Any] = []
        for key_node, value_node in node.value:
            if (  # a YAML merge key `<<:`
                isinstance(key_node, ry.ScalarNode) and key_node.value == "<<" and not key_node.style
            ):
                self.merges += 1
                merge_sources.append(value_node)
                continue
            entries.append(self._entry(key_node, value_node))
        self._report_duplicates(entries)
        if merge_sources:
            # SnakeYAML's flattenMapping: merged keys come first, explicit keys win.
            entries = self._merge(merge_sources, entries) + entries
        return Mapping(tuple(entries), self._node_span(node), tag)

    def _entry(self, key_node: Any, value_node: Any) -> Entry:
        key_span = self._node_span(key_node)
        key_tag = _custom_tag(key_node)
        if isinstance(key_node, ry.ScalarNode):
            key = key_node.value
            if key_tag == INCLUDE_TAG:
                self.includes += 1
            elif key_tag is not None:
                self._unknown_tag(key_node, key_tag)
        else:
            key = _complex_key_text(self.build(key_node))
        return Entry(key, key_span, self.build(value_node), key_tag)

    def _merge(self, value_nodes: list[Any], explicit: list[Entry]) -> list[Entry]:
        """YAML merge keys (``<<: *base``), which SnakeYAML's SafeConstructor applies."""
        present = {entry.key for entry in explicit}
        merged: list[Entry] = []
        for value_node in value_nodes:
            sources = value_node.value if isinstance(value_node, ry.SequenceNode) else [value_node]
            for source_node in sources:
                built = self.build(source_node)
                if not isinstance(built, Mapping):
                    continue
                for entry in built.entries:
                    if entry.key not in present:
                        present.add(entry.key)
                        merged.append(entry)
        return merged

    def _report_duplicates(self, entries: list[Entry]) -> None:
        first: dict[str, Entry] = {}
        for entry in entries:
            if entry.key_tag == INCLUDE_TAG:
                continue
            if entry.key in first:
                original = first[entry.key]
                self.problems.append(
                    SyntaxProblem(
                        kinds.DUPLICATE_KEY,
                        f"duplicate key {entry.key!r}; a key can appear once in a mapping",
                        entry.key_span,
                        ((original.key_span, f"{entry.key!r} first defined here"),),
                    )
                )
            else:
                first[entry.key] = entry


def _complex_key_text(key: Node) -> str:
    """The key text of a non-scalar key (``? [a, b]``): its JSON, cut at MAX_KEY_CHARS.

    Uncut, nested complex keys (``? ? ? x``) double in length per level, each level escaping the
    quotes of the key text below it: 60 bytes of ``? `` asked for a gigabyte. Cut keys end with a
    digest of the whole text, so two different long keys are no duplicates.
    """
    text = to_json_text(key)
    if len(text) <= MAX_KEY_CHARS:
        return text
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{text[:MAX_KEY_CHARS]}…{digest}"


def _custom_tag(node: Any) -> str | None:
    """An application tag (``!name``), or None for standard / implicit tags."""
    # ``ctag`` is ruamel's Tag object; ``node.tag`` renders it to a string, which is costly.
    tag = getattr(node, "ctag", None)
    if tag is None:
        text = node.tag
    elif getattr(tag, "handle", None) is None:
        text = tag.suffix  # the C parser hands over the full tag text here
    else:
        text = str(tag)
    if text is None or text.startswith(_STANDARD_TAG_PREFIX) or text in ("!", "?"):
        return None
    return str(text)
