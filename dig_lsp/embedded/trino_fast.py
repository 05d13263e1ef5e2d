"""A fast recogniser for a strict subset of Trino's grammar, so that most statements skip ANTLR.

It follows the rules of ``SqlBase.g4`` (Trino 422) one by one for what queries usually hold:
``SELECT``/``WITH``/set operations/``VALUES``/``TABLE``, joins, ``UNNEST``, ``TABLESAMPLE``,
``ORDER BY``/``OFFSET``/``LIMIT``/``FETCH``, ``GROUP BY`` with ``ROLLUP``/``CUBE``/``GROUPING SETS``,
every predicate, arithmetic, ``AT TIME ZONE``, literals, ``CASE``, ``CAST``, ``EXTRACT``, ``TRIM``,
``SUBSTRING``, lambdas, calls with ``DISTINCT``, ``ORDER BY``, ``FILTER`` and ``OVER``, window
frames, types; ``INSERT INTO``, ``CREATE TABLE [AS]``, ``DROP TABLE``, ``DELETE``, ``ALTER TABLE``
``ADD COLUMN``/``RENAME TO``. Where the grammar
lets a word be read two ways (a non-reserved keyword as a name or as the start of a clause), one
reading is taken; anything else it meets (``MATCH_RECOGNIZE``, ``JSON_QUERY``, a window name, other
statements...) makes it give up. It answers only "surely accepted": when it finds a derivation the
grammar accepts the statement; when it gives up, ANTLR decides (``trino_grammar``). So it can only
ever cost speed, never a verdict; ``tests/test_trino_grammar.py`` checks on the corpora and on
generated mistakes that everything it accepts ANTLR accepts too.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from dig_lsp.embedded.trino_tokens import (
    IDENTIFIER,
    QUOTED_IDENTIFIER,
    Token,
    keywords,
    reserved,
)


class _GiveUp(Exception):
    """Not a derivation this recogniser knows: let ANTLR decide."""



@lru_cache(maxsize=1)
def _names() -> frozenset[str]:
    """Token kinds the rule ``identifier`` takes (quoted and plain names, non-reserved keywords);
    a backquoted or digit-first name is left to the judge, which rejects it."""
    words = keywords()
    return frozenset({IDENTIFIER, QUOTED_IDENTIFIER} | {kind for word, kind in words.items() if word not in reserved()})


_CLAUSE_STARTS = frozenset({"LIMIT", "OFFSET", "FETCH", "WINDOW", "TABLESAMPLE", "MATCH_RECOGNIZE", "AT", "OVER",
                            "FILTER", "IGNORE", "RESPECT"})
_QUERY_STARTS = frozenset({"SELECT", "WITH", "VALUES", "TABLE"})
_LITERALS = frozenset({"NULL", "TRUE", "FALSE", "INTEGER_VALUE", "DECIMAL_VALUE", "DOUBLE_VALUE", "STRING",
                       "BINARY_LITERAL", "?"})
_COMPARISON = frozenset({"=", "NEQ", "<", "<=", ">", ">="})
_BINARY = frozenset({"*", "/", "%", "+", "-", "||"})
_INTERVAL_FIELDS = frozenset({"YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"})
_DATETIME = frozenset({"CURRENT_TIME", "CURRENT_TIMESTAMP", "LOCALTIME", "LOCALTIMESTAMP"})
_SPECIAL_NAMES = frozenset({"CURRENT_DATE", "CURRENT_USER", "CURRENT_CATALOG", "CURRENT_SCHEMA", "CURRENT_PATH"})


class _Recogniser:
    def __init__(self, tokens: Sequence[Token]) -> None:
        self.kinds = [t.kind for t in tokens]
        self.kinds.append("EOF")
        self.quoted_empty = [t.kind == QUOTED_IDENTIFIER and t.end - t.start == 2 for t in tokens] + [False]
        self.pos = 0
        self.names = _names()
        self.furthest = 0  # the furthest token a failed expectation was at (backtracking goes back)
        # (first token of the name, its '(', its number of arguments) of every function call; `f(*)` has
        # none (Trino reads `count(*)` as `count()`)
        self.calls: list[tuple[int, int, int]] = []

    # -- tokens

    def fail(self) -> _GiveUp:
        self.furthest = max(self.furthest, self.pos)
        return _GiveUp()

    def peek(self, ahead: int = 0) -> str:
        index = self.pos + ahead
        return self.kinds[index] if index < len(self.kinds) else "EOF"

    def take(self, kind: str) -> bool:
        if self.kinds[self.pos] == kind:
            self.pos += 1
            return True
        return False

    def expect(self, kind: str) -> None:
        if self.kinds[self.pos] != kind:
            raise self.fail()
        self.pos += 1

    def is_name(self, ahead: int = 0) -> bool:
        index = self.pos + ahead
        return index < len(self.kinds) and self.kinds[index] in self.names and not self.quoted_empty[index]

    def name(self) -> None:
        if not self.is_name():
            raise self.fail()
        self.pos += 1

    def plain_alias(self) -> bool:
        """An alias without AS: a name, but not a non-reserved keyword that can start what follows
        (LIMIT, OFFSET, WINDOW...: that reading is taken, and if it fails the judge decides)."""
        return self.is_name() and self.kinds[self.pos] not in _CLAUSE_STARTS

    def qualified_name(self) -> None:
        self.name()
        while self.peek() == "." and self.is_name(1):
            self.pos += 2

    # -- statements

    def statement(self) -> None:
        kind = self.peek()
        if kind == "INSERT":
            self.pos += 1
            self.expect("INTO")
            self.qualified_name()
            if self.peek() == "(" and self.peek(1) not in _QUERY_STARTS and self.peek(1) != "(":
                self.column_aliases()
            self.query()
        elif kind == "CREATE":
            self.create_table()
        elif kind == "DROP":
            self.pos += 1
            self.expect("TABLE")
            if self.take("IF"):
                self.expect("EXISTS")
            self.qualified_name()
        elif kind == "ALTER" and self.peek(1) == "TABLE":
            self.alter_table()
        elif kind == "DELETE":
            self.pos += 1
            self.expect("FROM")
            self.qualified_name()
            if self.take("WHERE"):
                self.expression()
        else:
            self.query()
        if self.peek() != "EOF":
            raise self.fail()

    def create_table(self) -> None:
        self.expect("CREATE")
        if self.take("OR"):
            self.expect("REPLACE")
        self.expect("TABLE")
        if self.take("IF"):
            self.expect("NOT")
            self.expect("EXISTS")
        self.qualified_name()
        if self.peek() == "(":
            start = self.pos
            try:
                self.column_aliases()
                if self.peek() not in ("AS", "COMMENT", "WITH"):
                    raise self.fail()
            except _GiveUp:
                self.pos = start  # column aliases hold no call
                self.table_elements()
                return
        if self.take("COMMENT"):
            self.string()
        if self.peek() == "WITH":
            self.pos += 1
            self.properties()
        self.expect("AS")
        start, calls = self.pos, len(self.calls)
        try:
            self.query()
        except _GiveUp:
            self.pos = start
            del self.calls[calls:]
            self.expect("(")
            self.query()
            self.expect(")")
        if self.take("WITH"):
            self.take("NO")
            self.expect("DATA")

    def alter_table(self) -> None:
        """``ALTER TABLE [IF EXISTS] t ADD COLUMN [IF NOT EXISTS] column`` and ``... RENAME TO t2``."""
        self.pos += 2
        if self.take("IF"):
            self.expect("EXISTS")
        self.qualified_name()
        if self.take("RENAME"):
            self.expect("TO")
            self.qualified_name()
            return
        self.expect("ADD")
        self.expect("COLUMN")
        if self.take("IF"):
            self.expect("NOT")
            self.expect("EXISTS")
        self.table_element()

    def table_elements(self) -> None:
        self.expect("(")
        self.table_element()
        while self.take(","):
            self.table_element()
        self.expect(")")
        if self.take("COMMENT"):
            self.string()
        if self.take("WITH"):
            self.properties()

    def table_element(self) -> None:
        if self.peek() == "LIKE":
            raise self.fail()
        self.qualified_name()
        self.type()
        if self.take("NOT"):
            self.expect("NULL")
        if self.take("COMMENT"):
            self.string()
        if self.take("WITH"):
            self.properties()

    def properties(self) -> None:
        self.expect("(")
        while True:
            self.name()
            self.expect("=")
            if not self.take("DEFAULT"):
                self.expression()
            if not self.take(","):
                break
        self.expect(")")

    def string(self) -> None:
        if self.take("STRING"):
            return
        self.expect("UNICODE_STRING")
        if self.take("UESCAPE"):
            self.expect("STRING")

    # -- queries

    def query(self) -> None:
        if self.take("WITH"):
            self.take("RECURSIVE")
            self.named_query()
            while self.take(","):
                self.named_query()
        self.query_no_with()

    def named_query(self) -> None:
        self.name()
        if self.peek() == "(":
            self.column_aliases()
        self.expect("AS")
        self.expect("(")
        self.query()
        self.expect(")")

    def column_aliases(self) -> None:
        self.expect("(")
        self.name()
        while self.take(","):
            self.name()
        self.expect(")")

    def query_no_with(self) -> None:
        self.query_primary()
        while self.peek() in ("UNION", "EXCEPT", "INTERSECT"):
            self.pos += 1
            if self.peek() in ("DISTINCT", "ALL"):
                self.pos += 1
            self.query_primary()
        if self.peek() == "ORDER" and self.peek(1) == "BY":
            self.pos += 2
            self.sort_items()
        if self.take("OFFSET"):
            self.row_count()
            if self.peek() in ("ROW", "ROWS"):
                self.pos += 1
        if self.take("LIMIT"):
            if not self.take("ALL"):
                self.row_count()
        elif self.take("FETCH"):
            if self.peek() not in ("FIRST", "NEXT"):
                raise self.fail()
            self.pos += 1
            if self.peek() in ("INTEGER_VALUE", "?"):
                self.pos += 1
            if self.peek() not in ("ROW", "ROWS"):
                raise self.fail()
            self.pos += 1
            if not self.take("ONLY"):
                self.expect("WITH")
                self.expect("TIES")

    def row_count(self) -> None:
        if self.peek() not in ("INTEGER_VALUE", "?"):
            raise self.fail()
        self.pos += 1

    def query_primary(self) -> None:
        kind = self.peek()
        if kind == "SELECT":
            self.query_specification()
        elif kind == "TABLE":
            self.pos += 1
            self.qualified_name()
        elif kind == "VALUES":
            self.pos += 1
            self.expression()
            while self.take(","):
                self.expression()
        elif kind == "(":
            self.pos += 1
            self.query_no_with()
            self.expect(")")
        else:
            raise self.fail()

    def sort_items(self) -> None:
        self.sort_item()
        while self.take(","):
            self.sort_item()

    def sort_item(self) -> None:
        self.expression()
        if self.peek() in ("ASC", "DESC"):
            self.pos += 1
        if self.take("NULLS"):
            if self.peek() not in ("FIRST", "LAST"):
                raise self.fail()
            self.pos += 1

    def query_specification(self) -> None:
        self.expect("SELECT")
        if self.peek() in ("DISTINCT", "ALL"):
            self.pos += 1
        self.select_item()
        while self.take(","):
            self.select_item()
        if self.take("FROM"):
            self.relation()
            while self.take(","):
                self.relation()
        if self.take("WHERE"):
            self.expression()
        if self.peek() == "GROUP" and self.peek(1) == "BY":
            self.pos += 2
            self.group_by()
        if self.take("HAVING"):
            self.expression()
        if self.peek() == "WINDOW":
            raise self.fail()

    def select_item(self) -> None:
        if self.take("*"):
            return
        # qualifiedName '.' '*' (primaryExpression '.' ASTERISK, for a name)
        ahead = 0
        while self.is_name(ahead) and self.peek(ahead + 1) == ".":
            if self.peek(ahead + 2) == "*":
                self.pos += ahead + 3
                if self.take("AS"):
                    self.column_aliases()
                return
            ahead += 2
        self.expression()
        if self.take("AS"):
            self.name()
        elif self.plain_alias():
            self.pos += 1

    def group_by(self) -> None:
        if self.peek() in ("DISTINCT", "ALL"):
            self.pos += 1
        self.grouping_element()
        while self.take(","):
            self.grouping_element()

    def grouping_element(self) -> None:
        kind = self.peek()
        if kind in ("ROLLUP", "CUBE"):
            self.pos += 1
            self.expect("(")
            if not self.take(")"):
                self.grouping_set()
                while self.take(","):
                    self.grouping_set()
                self.expect(")")
        elif kind == "GROUPING" and self.peek(1) == "SETS":
            self.pos += 2
            self.expect("(")
            self.grouping_set()
            while self.take(","):
                self.grouping_set()
            self.expect(")")
        else:
            self.grouping_set()

    def grouping_set(self) -> None:
        if self.peek() == "(" and self.peek(1) == ")":
            self.pos += 2
            return
        self.expression()  # '(' a, b ')' is a row constructor: an expression, which a grouping set also takes

    # -- relations

    def relation(self) -> None:
        self.sampled_relation()
        while True:
            kind = self.peek()
            if kind == "CROSS":
                self.pos += 1
                self.expect("JOIN")
                self.sampled_relation()
            elif kind in ("JOIN", "INNER", "LEFT", "RIGHT", "FULL"):
                self.join_type()
                self.relation_right()
            elif kind == "NATURAL":
                self.pos += 1
                self.join_type()
                self.sampled_relation()
            else:
                return

    def join_type(self) -> None:
        kind = self.peek()
        if kind == "INNER":
            self.pos += 1
        elif kind in ("LEFT", "RIGHT", "FULL"):
            self.pos += 1
            self.take("OUTER")
        self.expect("JOIN")

    def relation_right(self) -> None:
        """``joinType JOIN rightRelation=relation joinCriteria``."""
        self.relation()
        if self.take("ON"):
            self.expression()
        elif self.take("USING"):
            self.column_aliases()
        else:
            raise self.fail()

    def sampled_relation(self) -> None:
        self.aliased_relation()
        if self.take("TABLESAMPLE"):
            if self.peek() not in ("BERNOULLI", "SYSTEM"):
                raise self.fail()
            self.pos += 1
            self.expect("(")
            self.expression()
            self.expect(")")

    def aliased_relation(self) -> None:
        self.relation_primary()
        if self.take("AS"):
            self.name()
        elif self.plain_alias():
            self.pos += 1
        else:
            return
        if self.peek() == "(":
            self.column_aliases()

    def relation_primary(self) -> None:
        kind = self.peek()
        if kind == "(":
            start, calls = self.pos, len(self.calls)
            self.pos += 1
            try:
                self.query()
                self.expect(")")
            except _GiveUp:
                self.pos = start + 1
                del self.calls[calls:]
                self.relation()
                self.expect(")")
        elif kind == "UNNEST":
            self.pos += 1
            self.expect("(")
            self.expression()
            while self.take(","):
                self.expression()
            self.expect(")")
            if self.peek() == "WITH" and self.peek(1) == "ORDINALITY":
                self.pos += 2
        elif kind == "LATERAL" and self.peek(1) == "(":
            self.pos += 2
            self.query()
            self.expect(")")
        else:
            self.qualified_name()
            if self.peek() == "FOR":
                raise self.fail()  # queryPeriod

    # -- expressions

    def expression(self) -> None:
        self.boolean_term()
        while self.peek() in ("AND", "OR"):
            self.pos += 1
            self.boolean_term()

    def boolean_term(self) -> None:
        while self.take("NOT"):
            pass
        self.value_expression()
        self.predicate()

    def predicate(self) -> None:
        kind = self.peek()
        if kind in _COMPARISON:
            self.pos += 1
            if self.peek() in ("ALL", "SOME", "ANY") and self.peek(1) == "(" and self.peek(2) in _QUERY_STARTS:
                self.pos += 2
                self.query()
                self.expect(")")
            else:
                self.value_expression()
            return
        if kind == "IS":
            self.pos += 1
            self.take("NOT")
            if self.take("NULL"):
                return
            self.expect("DISTINCT")
            self.expect("FROM")
            self.value_expression()
            return
        if kind == "NOT" and self.peek(1) in ("BETWEEN", "IN", "LIKE"):
            self.pos += 1
            kind = self.peek()
        if kind == "BETWEEN":
            self.pos += 1
            self.value_expression()
            self.expect("AND")
            self.value_expression()
        elif kind == "IN":
            self.pos += 1
            self.expect("(")
            if self.peek() in _QUERY_STARTS:
                self.query()
            else:
                self.expression()
                while self.take(","):
                    self.expression()
            self.expect(")")
        elif kind == "LIKE":
            self.pos += 1
            self.value_expression()
            if self.take("ESCAPE"):
                self.value_expression()

    def value_expression(self) -> None:
        while self.peek() in ("-", "+"):
            self.pos += 1
        self.primary()
        while True:
            kind = self.peek()
            if kind in _BINARY:
                self.pos += 1
                while self.peek() in ("-", "+"):
                    self.pos += 1
                self.primary()
            elif kind == "AT" and self.peek(1) == "TIME" and self.peek(2) == "ZONE":
                self.pos += 3
                if self.peek() == "INTERVAL":
                    self.interval()
                else:
                    self.string()
            else:
                return

    def primary(self) -> None:
        self.primary_base()
        while True:
            kind = self.peek()
            if kind == "[":
                self.pos += 1
                self.value_expression()
                self.expect("]")
            elif kind == "." and self.is_name(1):
                self.pos += 2
            else:
                return

    def primary_base(self) -> None:
        kind = self.peek()
        following = self.peek(1)
        if kind in _LITERALS:
            self.pos += 1
        elif kind == "UNICODE_STRING":
            self.string()
        elif kind == "(":
            self.parenthesized()
        elif kind == "CASE":
            self.pos += 1
            if self.peek() != "WHEN":
                self.expression()
            if self.peek() != "WHEN":
                raise self.fail()
            while self.take("WHEN"):
                self.expression()
                self.expect("THEN")
                self.expression()
            if self.take("ELSE"):
                self.expression()
            self.expect("END")
        elif kind in ("CAST", "TRY_CAST") and following == "(":
            self.pos += 2
            self.expression()
            self.expect("AS")
            self.type()
            self.expect(")")
        elif kind == "EXISTS":
            self.pos += 1
            self.expect("(")
            self.query()
            self.expect(")")
        elif kind == "ARRAY" and following == "[":
            self.pos += 2
            if not self.take("]"):
                self.expression()
                while self.take(","):
                    self.expression()
                self.expect("]")
        elif kind == "ROW" and following == "(":
            self.pos += 2
            self.expression()
            while self.take(","):
                self.expression()
            self.expect(")")
        elif kind == "INTERVAL" and (following == "STRING" or (following in ("+", "-") and self.peek(2) == "STRING")):
            self.interval()
        elif kind == "DOUBLE" and following == "PRECISION" and self.peek(2) == "STRING":
            self.pos += 3
        elif kind in _SPECIAL_NAMES:
            self.pos += 1
        elif kind in _DATETIME:
            self.pos += 1
            if self.take("("):
                self.expect("INTEGER_VALUE")
                self.expect(")")
        elif kind == "EXTRACT":
            self.pos += 1
            self.expect("(")
            self.name()
            self.expect("FROM")
            self.value_expression()
            self.expect(")")
        elif kind == "TRIM":
            self.trim()
        elif kind == "GROUPING" and following == "(":
            self.pos += 2
            if not self.take(")"):
                self.qualified_name()
                while self.take(","):
                    self.qualified_name()
                self.expect(")")
        elif kind == "SUBSTRING" and following == "(":
            start, calls = self.pos, len(self.calls)
            try:
                self.call()
            except _GiveUp:
                self.pos = start + 2
                del self.calls[calls:]
                self.value_expression()
                self.expect("FROM")
                self.value_expression()
                if self.take("FOR"):
                    self.value_expression()
                self.expect(")")
        elif kind == "POSITION" and following == "(":
            self.pos += 2
            self.value_expression()
            self.expect("IN")
            self.value_expression()
            self.expect(")")
        elif self.is_name():
            if following == "->":
                self.pos += 2
                self.expression()
            elif following in ("STRING", "UNICODE_STRING"):
                self.pos += 1
                self.string()
            elif following == "OVER":
                raise self.fail()  # `identifier over` (a measure) or an alias: left to the judge
            else:
                self.call_or_name()
        else:
            raise self.fail()

    def parenthesized(self) -> None:
        """'(' query ')', a lambda's '(' names ')' '->', a row constructor, or '(' expression ')'."""
        if self.peek(1) in _QUERY_STARTS:
            self.pos += 1
            self.query()
            self.expect(")")
            return
        ahead = 1
        if self.peek(ahead) == ")":
            ahead += 1
        else:
            while self.is_name(ahead) and self.peek(ahead + 1) == ",":
                ahead += 2
            if self.is_name(ahead) and self.peek(ahead + 1) == ")":
                ahead += 2
            else:
                ahead = -1
        if ahead > 0 and self.peek(ahead) == "->":
            self.pos += ahead + 1
            self.expression()
            return
        self.pos += 1
        self.expression()
        while self.take(","):
            self.expression()
        self.expect(")")

    def call_or_name(self) -> None:
        start = self.pos
        self.qualified_name()
        if self.peek() == "(":
            self.pos = start
            self.call()

    def call(self) -> None:
        start = self.pos
        self.qualified_name()
        entry, paren, count = len(self.calls), self.pos, 0
        self.calls.append((start, paren, count))
        self.expect("(")
        star = self.take("*")
        if star:
            self.expect(")")
        elif not self.take(")"):
            if self.peek() == "DISTINCT" or (self.peek() == "ALL" and self.peek(1) not in (",", ")")):
                self.pos += 1
            self.expression()
            count = 1
            while self.take(","):
                self.expression()
                count += 1
            self.calls[entry] = (start, paren, count)  # the calls inside the arguments come after it
            if self.peek() == "ORDER" and self.peek(1) == "BY":
                self.pos += 2
                self.sort_items()
            self.expect(")")
        if self.peek() == "FILTER" and self.peek(1) == "(":
            self.pos += 2
            self.expect("WHERE")
            self.expression()
            self.expect(")")
        if not star and self.peek() in ("IGNORE", "RESPECT") and self.peek(1) == "NULLS" and self.peek(2) == "OVER":
            self.pos += 2
        if self.peek() == "OVER":
            self.pos += 1
            if self.peek() != "(":
                raise self.fail()
            self.pos += 1
            self.window_specification()
            self.expect(")")

    def window_specification(self) -> None:
        if self.peek() not in ("PARTITION", "ORDER", "ROWS", "RANGE", "GROUPS", ")"):
            raise self.fail()  # an existing window's name
        if self.peek() == "PARTITION" and self.peek(1) == "BY":
            self.pos += 2
            self.expression()
            while self.take(","):
                self.expression()
        if self.peek() == "ORDER" and self.peek(1) == "BY":
            self.pos += 2
            self.sort_items()
        if self.peek() in ("ROWS", "RANGE", "GROUPS"):
            self.pos += 1
            if self.take("BETWEEN"):
                self.frame_bound()
                self.expect("AND")
                self.frame_bound()
            else:
                self.frame_bound()

    def frame_bound(self) -> None:
        if ((self.peek() == "UNBOUNDED" and self.peek(1) in ("PRECEDING", "FOLLOWING"))
                or (self.peek() == "CURRENT" and self.peek(1) == "ROW")):
            self.pos += 2
        else:
            self.expression()
            if self.peek() not in ("PRECEDING", "FOLLOWING"):
                raise self.fail()
            self.pos += 1

    def trim(self) -> None:
        self.expect("TRIM")
        self.expect("(")
        if self.peek() in ("BOTH", "LEADING", "TRAILING") and self.peek(1) != ",":
            self.pos += 1
            if not self.take("FROM"):
                self.value_expression()
                self.expect("FROM")
            self.value_expression()
            self.expect(")")
            return
        if self.take("FROM"):
            self.value_expression()
            self.expect(")")
            return
        self.value_expression()
        if self.take(",") or self.take("FROM"):
            self.value_expression()
        self.expect(")")

    def interval(self) -> None:
        self.expect("INTERVAL")
        if self.peek() in ("+", "-"):
            self.pos += 1
        self.expect("STRING")
        self.interval_field()
        if self.take("TO"):
            self.interval_field()

    def interval_field(self) -> None:
        if self.peek() not in _INTERVAL_FIELDS:
            raise self.fail()
        self.pos += 1

    # -- types

    def type(self) -> None:
        kind = self.peek()
        if kind == "ROW" and self.peek(1) == "(":
            self.pos += 2
            self.row_field()
            while self.take(","):
                self.row_field()
            self.expect(")")
        elif kind == "INTERVAL" and self.peek(1) in _INTERVAL_FIELDS:
            self.pos += 1
            self.interval_field()
            if self.take("TO"):
                self.interval_field()
        elif kind in ("TIMESTAMP", "TIME"):
            self.pos += 1
            if self.take("("):
                self.type_parameter()
                self.expect(")")
            if self.peek() in ("WITH", "WITHOUT") and self.peek(1) == "TIME" and self.peek(2) == "ZONE":
                self.pos += 3
        elif kind == "DOUBLE" and self.peek(1) == "PRECISION":
            self.pos += 2
        elif kind == "ARRAY" and self.peek(1) == "<":
            self.pos += 2
            self.type()
            self.expect(">")
        elif kind == "MAP" and self.peek(1) == "<":
            self.pos += 2
            self.type()
            self.expect(",")
            self.type()
            self.expect(">")
        elif self.is_name():
            self.pos += 1
            if self.take("("):
                self.type_parameter()
                while self.take(","):
                    self.type_parameter()
                self.expect(")")
        else:
            raise self.fail()
        while self.peek() == "ARRAY" and self.peek(1) != "[":
            self.pos += 1

    def row_field(self) -> None:
        if self.is_name() and (self.is_name(1) or self.peek(1) in ("ROW", "INTERVAL", "TIMESTAMP", "TIME")):
            self.pos += 1
        self.type()

    def type_parameter(self) -> None:
        if not self.take("INTEGER_VALUE"):
            self.type()


def recognise(tokens: Sequence[Token]) -> tuple[int | None, list[tuple[int, int, int]] | None]:
    """One run of the recogniser over ``tokens`` (one statement): ``(None, calls)`` when Trino's grammar
    surely accepts them, with their function calls (see ``function_calls``), else ``(index, None)``, the
    token where it gave up (where a derivation it knows stopped; not a verdict). It reads the tokens'
    kinds and lengths, not where they are."""
    recogniser = _Recogniser(tokens)
    try:
        recogniser.statement()
    except _GiveUp:
        return min(recogniser.furthest, len(tokens)), None
    except RecursionError:
        return 0, None
    return None, recogniser.calls


def give_up(tokens: list[Token]) -> int | None:
    """None when Trino's grammar surely accepts ``tokens`` (one statement), else the index of the token
    where the recogniser gave up (where a derivation it knows stopped; not a verdict)."""
    return recognise(tokens)[0]


def function_calls(tokens: list[Token]) -> list[tuple[int, int, int]] | None:
    """The function calls of an accepted statement: (index of the name's first token, index of its
    '(', number of arguments as the grammar's ``callArgument`` list counts them: a lambda, a
    ``DISTINCT`` or an ``ORDER BY`` inside the call is no argument of its own); None when the
    recogniser does not accept the statement."""
    return recognise(tokens)[1]


def accepts(tokens: list[Token]) -> bool:
    """True only when Trino's grammar surely accepts ``tokens`` (one statement)."""
    return give_up(tokens) is None
