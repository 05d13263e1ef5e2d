"""The ES5 interpreter behind the dry run's ``${...}`` rendering."""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

import pytest

from dig_lsp.dryrun.js import JsError, Unevaluable, evaluate, from_python, template_text

PARAMS = {"t": "2024-01-31T00:00:00+09:00", "n": "3", "i": 2, "a": [1, 2, 3], "o": {"x": {"y": "z"}}}


@pytest.mark.parametrize(("expression", "expected"), [
    ("i + 1", "3"), ("n + 1", "31"), ("a.map(function(x){ return x * 5 })", "[5,10,15]"),
    ("i > 1 ? 'big' : 'small'", "big"), ("o.x.y.toUpperCase()", "Z"), ("JSON.stringify(o)", '{"x":{"y":"z"}}'),
    ("Object.keys(o)", '["x"]'), ("Object.prototype.toString.call(a) === '[object Array]'", "true"),
    ("0.1 + 0.2", "0.30000000000000004"), ("o.nope", ""), ("null", ""), ("[1, 'a', {b: null}]", '[1,"a",{"b":null}]'),
    ("moment(t).add(1, 'M').format('YYYY-MM-DD HH:mm:ss')", "2024-02-29 00:00:00"),
    ("moment(t).utc().format()", "2024-01-30T15:00:00Z"), ("moment(t).format()", "2024-01-31T00:00:00+09:00"),
    ("moment(t).startOf('month').subtract(1, 'days').format('YYYYMMDD')", "20231231"),
    ("moment(t).endOf('day').format('HH:mm:ss')", "23:59:59"), ("moment(t).unix()", "1706626800"),
    ("a.slice(1).join('-')", "2-3"), ("'a,b'.split(',').length", "2"), ("parseInt('08')", "8"), ("Math.max(1, i)", "2"),
])
def test_expressions(expression: str, expected: str) -> None:
    assert template_text(evaluate(expression, from_python(PARAMS), ZoneInfo("Asia/Tokyo"))) == expected


@pytest.mark.parametrize(("expression", "error"), [
    ("x", JsError), ("o.nope.x", JsError), ("a =>", JsError), ("moment()", Unevaluable), ("new Date()", Unevaluable),
    ("Math.random()", Unevaluable), ("'a'.replace(/a/, 'b')", Unevaluable),
    ("(function f(){ for(;;){} })()", Unevaluable), ("this.constructor.constructor('return 1')()", JsError),
])
def test_errors_and_limits(expression: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        evaluate(expression, from_python(PARAMS), UTC, max_steps=10_000)
