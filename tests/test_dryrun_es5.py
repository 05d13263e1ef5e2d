"""``${...}`` JavaScript as digdag's engine runs it: each expected value comes from the section of ECMA-262
5.1 it cites (worked by hand from the algorithm, or the spec's own note), from moment 2.21.0's test suite
(``src/test/locale/en.js``, ``src/test/moment/format.js``), or from Python's ``datetime`` as an independent
calendar; none is the interpreter's own output.

digdag evaluates templates with GraalJS in ES5 mode (``GraalJsEngine``: ``js.ecmascript-version=5``,
``js.nashorn-compat``) in the workflow's time zone, and outputs ``JSON.stringify`` of any value that is
not a string (``digdag.js``).
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dig_lsp.dryrun.js import MAX_MEMORY, Exhausted, JsError, Unevaluable, evaluate_text
from tests.test_dryrun import simulate

TOKYO = ZoneInfo("Asia/Tokyo")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")


def js(expression: str, zone: object = UTC, memory: int = MAX_MEMORY) -> str:
    assert isinstance(zone, tzinfo)
    return evaluate_text(expression, {}, zone, max_memory=memory)


def millis(moment: datetime) -> str:
    return str(round(moment.timestamp() * 1000))


# ------------------------------------------------------------------ 9.8.1 ToString applied to the Number type


@pytest.mark.parametrize(("expression", "expected"), [
    ("String(0.00001)", "0.00001"),  # n = -4: step 8, "0." then -n zeros
    ("String(0.000001)", "0.000001"),  # n = -5: still step 8 (-6 < n <= 0)
    ("String(1e-7)", "1e-7"),  # n = -6: step 9 (k = 1), e and the sign
    ("String(1.5e-7)", "1.5e-7"),  # step 10 (k > 1)
    ("String(123e-20)", "1.23e-18"),
    ("String(1e21)", "1e+21"),  # n = 22 > 21: step 9
    ("String(1e20)", "100000000000000000000"),  # k <= n <= 21: step 6, the digits then n - k zeros
    ("String(123.456)", "123.456"),  # 0 < n <= 21: step 7
    ("String(-0)", "0"),  # step 2
    ("String(-1e-7)", "-1e-7"),  # step 3
    ("String(0/0)", "NaN"), ("String(1/0)", "Infinity"), ("String(-1/0)", "-Infinity"),  # steps 1 and 4
    ("String(0.1 + 0.2)", "0.30000000000000004"),  # k as small as possible: 17 digits are needed here
    ("String(1000000000000000128)", "1000000000000000100"),  # 15.7.4.5 note: ToString drops digits...
])
def test_number_to_string(expression: str, expected: str) -> None:
    assert js(expression) == expected


@pytest.mark.parametrize(("expression", "expected"), [
    ("'' + 0.00001", "0.00001"),  # 11.6.1 step 7: ToString of each
    ("'x' + 1e21 + 1e-7", "x1e+211e-7"),
    ("[0.00001, 1e21, -0].join(' ')", "0.00001 1e+21 0"),  # 15.4.4.5 step 7: ToString of each element
    ("String([0.000001, 1e-7])", "0.000001,1e-7"),
    ("0.00001", "0.00001"),  # the template's output: JSON.stringify of a number is its ToString (15.12.3 Str 9)
    ("1e21", "1e+21"),
    ("[1e-7, 0.00001]", "[1e-7,0.00001]"),
    ("JSON.stringify({a: 1e21})", '{"a":1e+21}'),
    ("-0", "0"),
])
def test_numbers_become_strings_by_tostring_everywhere(expression: str, expected: str) -> None:
    assert js(expression) == expected


# ------------------------------------------------------------------ 15.7.4 Number.prototype


@pytest.mark.parametrize(("expression", "expected"), [
    # 15.7.4.5 toFixed
    ("(1000000000000000128).toFixed(0)", "1000000000000000128"),  # the note of 15.7.4.5: the exact digits
    ("(2.5).toFixed(0)", "3"),  # step 8a: of two equally close n, the larger
    ("(0.5).toFixed(0)", "1"),
    ("(-1.5).toFixed(0)", "-2"),  # step 5: the sign first, then the larger n of the magnitude
    ("(1.005).toFixed(2)", "1.00"),  # 1.005 is 1.00499999999999989... in binary
    ("(1.45).toFixed(1)", "1.4"),  # 1.45 is 1.4499999999999999555...
    ("(0.000001).toFixed(7)", "0.0000010"),  # step 9a: zeros before the digits
    ("(123.456).toFixed()", "123"),  # fractionDigits undefined: 0
    ("(-0.0000001).toFixed(2)", "-0.00"),  # x < 0, so s is "-"
    ("(-0).toFixed(2)", "0.00"),  # -0 is not < 0
    ("(1e21).toFixed(2)", "1e+21"),  # step 7: x >= 10^21, ToString
    ("(0/0).toFixed(2)", "NaN"),
    # 15.7.4.6 toExponential
    ("(123456).toExponential(2)", "1.23e+5"),
    ("(1.25).toExponential(1)", "1.3e+0"),  # 1.25 is exact: the larger n on the tie
    ("(0).toExponential()", "0e+0"), ("(0).toExponential(2)", "0.00e+0"),  # step 8
    ("(1.5).toExponential()", "1.5e+0"),  # step 9b: as many digits as needed
    ("(-1.5e-7).toExponential(1)", "-1.5e-7"),
    ("(0/0).toExponential(25)", "NaN"), ("(1/0).toExponential(25)", "Infinity"),  # before the range check
    # 15.7.4.7 toPrecision
    ("(123.456).toPrecision(4)", "123.5"),
    ("(0.000123).toPrecision(2)", "0.00012"),  # e = -4: step 12
    ("(123456).toPrecision(2)", "1.2e+5"),  # e >= p: step 10b, exponential
    ("(1e-7).toPrecision(1)", "1e-7"),  # e < -6
    ("(99.99).toPrecision(3)", "100"),  # rounding carries into e = 2 = p - 1: step 11
    ("(0).toPrecision(3)", "0.00"),
    ("(1.5).toPrecision()", "1.5"),  # step 2: ToString
    ("(1).toPrecision(21)", "1.00000000000000000000"),
    # 15.7.4.2 toString(radix)
    ("(255).toString(16)", "ff"), ("(255).toString(2)", "11111111"), ("(-255).toString(36)", "-73"),
    ("(35).toString(36)", "z"), ("(10).toString(10)", "10"), ("(0.00001).toString()", "0.00001"),
])
def test_number_prototype(expression: str, expected: str) -> None:
    assert js(expression) == expected


@pytest.mark.parametrize("expression", [
    "(1).toFixed(21)", "(1).toFixed(-1)",  # 15.7.4.5 step 2
    "(1).toExponential(21)", "(1).toExponential(-1)",  # 15.7.4.6 step 7
    "(1).toPrecision(22)", "(1).toPrecision(0)",  # 15.7.4.7 step 8
    "(10).toString(1)", "(10).toString(37)",  # 15.7.4.2: radix 2 to 36
])
def test_number_prototype_range_errors(expression: str) -> None:
    with pytest.raises(JsError) as caught:
        js(expression)
    assert caught.value.kind == "RangeError"


def test_radix_strings_of_fractions_are_not_guessed() -> None:
    """15.7.4.2: for a radix other than 10 the algorithm is implementation-dependent."""
    with pytest.raises(Unevaluable, match="implementation-dependent"):
        js("(0.5).toString(2)")


# ------------------------------------------------------------------ 15.8 Math


@pytest.mark.parametrize(("expression", "expected"), [
    ("Math.log(1)", "0"), ("Math.log(Math.E)", "1"), ("Math.exp(0)", "1"),
    ("String(Math.log(0))", "-Infinity"), ("String(Math.log(-0))", "-Infinity"),  # 15.8.2.10
    ("String(Math.log(-1))", "NaN"),
    ("String(Math.exp(1000))", "Infinity"), ("Math.exp(-1/0)", "0"),  # 15.8.2.8
    ("Math.pow(2, 10)", "1024"), ("Math.pow(0/0, 0)", "1"),  # 15.8.2.13: y is 0
    ("String(Math.pow(1, 1/0))", "NaN"), ("String(Math.pow(-1, -1/0))", "NaN"),  # abs(x) is 1, y infinite
    ("String(Math.pow(-0, -3))", "-Infinity"), ("String(Math.pow(-0, -2))", "Infinity"),
    ("String(Math.pow(-1/0, 3))", "-Infinity"), ("String(1 / Math.pow(-1/0, -3))", "-Infinity"),
    ("String(Math.pow(-8, 1/3))", "NaN"),  # x < 0 and y not an integer
    ("String(Math.pow(-10, 309))", "-Infinity"),
    ("Math.round(2.5)", "3"), ("Math.round(-2.5)", "-2"),  # 15.8.2.15: the one closer to +Infinity
    ("Math.round(0.49999999999999994)", "0"),  # closest integer (floor(x + 0.5) would give 1)
    ("String(1 / Math.round(-0.2))", "-Infinity"), ("String(1 / Math.round(-0.5))", "-Infinity"),  # -0
    ("String(1 / Math.ceil(-0.5))", "-Infinity"),  # 15.8.2.6: -1 < x < 0 gives -0
    ("Math.floor(-1.5)", "-2"), ("Math.ceil(1.2)", "2"), ("Math.abs(-3)", "3"),
    ("String(1 / Math.max(-0, 0))", "Infinity"), ("String(1 / Math.min(0, -0))", "-Infinity"),  # 15.8.2.11/12
    ("String(Math.max())", "-Infinity"), ("String(Math.min())", "Infinity"),
    ("String(Math.max(1, 0/0, 3))", "NaN"),
    ("Math.atan2(0, -0) === Math.PI", "true"),  # 15.8.2.5: y +0, x -0
    ("String(Math.sqrt(-1))", "NaN"), ("String(1 / Math.sqrt(-0))", "-Infinity"),  # 15.8.2.17
    ("String(Math.acos(2))", "NaN"), ("String(Math.sin(1/0))", "NaN"), ("Math.cos(0)", "1"),
    ("String(Math.floor())", "NaN"),  # no argument: ToNumber(undefined)
    ("Math.LN2", "0.6931471805599453"), ("Math.LN10", "2.302585092994046"), ("Math.LOG2E", "1.4426950408889634"),
    ("Math.LOG10E", "0.4342944819032518"), ("Math.SQRT2", "1.4142135623730951"),
    ("Math.SQRT1_2", "0.7071067811865476"), ("Math.PI", "3.141592653589793"), ("Math.E", "2.718281828459045"),
    # GraalJS in ES5 mode installs no ES2015 Math function (MathBuiltins: imul..fround are version 6)
    ("typeof Math.trunc + typeof Math.log10 + typeof Math.sign", "undefinedundefinedundefined"),
])
def test_math(expression: str, expected: str) -> None:
    assert js(expression) == expected


# ------------------------------------------------------------------ 15.4.2.2 new Array(len), holes


@pytest.mark.parametrize(("expression", "expected"), [
    ("Array(3).join('-')", "--"), ("Array(4).join('ab')", "ababab"), ("new Array(5).join('0') + 1", "00001"),
    ("new Array(2).length", "2"), ("Array(3)", "[null,null,null]"),  # JSON.stringify: undefined elements are null
    ("Array('3')", '["3"]'), ("Array(1, 2)", "[1,2]"), ("new Array()", "[]"),
    # 15.4.4.19: map visits only the elements present; the holes stay holes
    ("(function(){ var n = 0; var a = Array(3).map(function(){ n++; return 1 }); return n + ':' + a.length })()",
     "0:3"),
    ("0 in Array(3)", "false"), ("[1,,3].length", "3"), ("1 in [1,,3]", "false"),  # 11.1.4: an elision is a hole
    ("Object.keys([1,,3])", '["0","2"]'),
    ("[3,,1].sort()", "[1,3,null]"),  # 15.4.4.11: holes sort last
    ("(function(){ var a = []; a[2] = 'x'; return (1 in a) + ',' + a.length })()", "false,3"),
    ("Array.apply(null, Array(2)).map(function(v){ return typeof v })", '["undefined","undefined"]'),
])
def test_array_constructor(expression: str, expected: str) -> None:
    assert js(expression) == expected


@pytest.mark.parametrize("expression", ["Array(-1)", "Array(1.5)", "new Array(4294967296)"])
def test_invalid_array_lengths(expression: str) -> None:
    """15.4.2.2: a Number that is not a uint32 is a RangeError."""
    with pytest.raises(JsError) as caught:
        js(expression)
    assert caught.value.kind == "RangeError"


# ------------------------------------------------------------------ 15.1.3 URIs, B.2 escape/unescape


@pytest.mark.parametrize(("expression", "expected"), [
    ("encodeURIComponent('a b&c/\u00e9')", "a%20b%26c%2F%C3%A9"),  # the UTF-8 octets, upper-case hex
    ("encodeURIComponent('\U0001F600')", "%F0%9F%98%80"),  # a surrogate pair is one code point (step 4d)
    ("encodeURIComponent(\"-_.!~*'()\")", "-_.!~*'()"),  # uriUnescaped
    ("encodeURIComponent(';/?:@&=+$,#')", "%3B%2F%3F%3A%40%26%3D%2B%24%2C%23"),
    ("encodeURI('http://x.io/a b?q=1&r=\u00e9#f')", "http://x.io/a%20b?q=1&r=%C3%A9#f"),  # 15.1.3.3
    ("encodeURIComponent(12)", "12"), ("encodeURIComponent()", "undefined"),  # ToString of the argument
    ("decodeURIComponent('%E3%81%82')", "\u3042"),
    ("decodeURIComponent('%3B%2F%3f%23')", ";/?#"),  # 15.1.3.2: the reserved set is empty
    ("decodeURI('%3B%2F%3F%23%20%41')", "%3B%2F%3F%23 A"),  # 15.1.3.1: uriReserved and # stay escaped
    ("decodeURIComponent('%F0%9F%98%80')", "\U0001F600"),
    ("decodeURIComponent(encodeURIComponent('a\u00e9\u3042/?'))", "a\u00e9\u3042/?"),
    ("escape('a b+\u00e9\u3042')", "a%20b+%E9%u3042"),  # B.2.1: %XY below 256, %uXXXX above
    ("escape('@*_+-./')", "@*_+-./"),
    ("escape('\U0001F600')", "%uD83D%uDE00"),  # each UTF-16 code unit
    ("unescape('%u3042%41%')", "\u3042A%"),  # B.2.2: an incomplete escape stays as it is
    ("unescape('%uD83D%uDE00')", "\U0001F600"), ("unescape('%zz%4')", "%zz%4"),
])
def test_uri_functions(expression: str, expected: str) -> None:
    assert js(expression) == expected


@pytest.mark.parametrize("expression", [
    "decodeURIComponent('%')", "decodeURIComponent('%4')",  # 15.1.3 Decode step 4d.ii: k + 2 >= strLen
    "decodeURIComponent('%zz')",  # step 4d.iii: not hexadecimal
    "decodeURIComponent('%80')",  # step 4d.vii.1: n = 1 (a continuation byte first)
    "decodeURIComponent('%F8%80%80%80%80')",  # n > 4
    "decodeURIComponent('%E3%81')",  # step 4d.vii.3: too few octets
    "decodeURIComponent('%E3%41%82')",  # step 4d.vii.6: not 10xxxxxx
    "decodeURIComponent('%C0%80')",  # step 4d.vii.8: an overlong encoding is no valid UTF-8
    "decodeURIComponent('%ED%A0%80')",  # nor is a surrogate
    "decodeURI('%E3%81')",
    "encodeURIComponent('\\uD800')", "encodeURIComponent('\\uDC00a')",  # Encode steps 4c, 4d
])
def test_uri_errors(expression: str) -> None:
    with pytest.raises(JsError) as caught:
        js(expression)
    assert caught.value.kind == "URIError"


# ------------------------------------------------------------------ 15.9 Date, local time = the workflow's zone


def test_local_time_is_the_workflow_time_zone() -> None:
    """GraalJsEngine builds the context with .timeZone(getWorkflowZoneId(params)): local time is the workflow's."""
    tokyo = datetime(2024, 1, 31, tzinfo=TOKYO)
    assert js("new Date(2024, 0, 31).getTime()", TOKYO) == millis(tokyo)
    assert js("new Date(2024, 0, 31).getTime()", UTC) == millis(datetime(2024, 1, 31, tzinfo=UTC))
    assert js("new Date(2024, 0, 31).getHours()", TOKYO) == "0"
    assert js("new Date(2024, 0, 31).getUTCHours()", TOKYO) == "15"
    assert js("new Date(2024, 0, 31).getUTCDate()", TOKYO) == "30"
    assert js("new Date(2024, 0, 31).getTimezoneOffset()", TOKYO) == "-540"  # 15.9.5.26: (t - LocalTime(t)) / 60000
    assert js("new Date(2024, 0, 31).getTimezoneOffset()", LOS_ANGELES) == "480"


@pytest.mark.parametrize(("expression", "expected"), [
    ("Date.UTC(2010, 1, 14, 15, 25, 50, 125)", millis(datetime(2010, 2, 14, 15, 25, 50, 125000, tzinfo=UTC))),
    ("Date.UTC(99, 0)", millis(datetime(1999, 1, 1, tzinfo=UTC))),  # 15.9.4.3 step 8: 0-99 are 1900-1999
    ("Date.UTC(2024, 12, 1)", millis(datetime(2025, 1, 1, tzinfo=UTC))),  # 15.9.1.12 MakeDay: month 12 is next year
    ("Date.UTC(2024, 0, 0)", millis(datetime(2023, 12, 31, tzinfo=UTC))),  # date 0 is the day before
    ("Date.UTC(2024, 1, 30)", millis(datetime(2024, 3, 1, tzinfo=UTC))),
    ("Date.UTC(2024, 0, 1, 25)", millis(datetime(2024, 1, 2, 1, tzinfo=UTC))),  # 15.9.1.11 MakeTime
    ("Date.UTC(2024, 0, 1.9)", millis(datetime(2024, 1, 1, tzinfo=UTC))),  # ToInteger of each field
    ("new Date(0).toISOString()", "1970-01-01T00:00:00.000Z"),  # 15.9.5.43
    ("new Date(-1).toISOString()", "1969-12-31T23:59:59.999Z"),
    ("new Date(Date.UTC(-1, 0)).toISOString()", "-000001-01-01T00:00:00.000Z"),  # 15.9.1.15.1 extended years
    ("new Date(Date.UTC(20123, 9, 9)).toISOString()", "+020123-10-09T00:00:00.000Z"),
    ("new Date(8.64e15).getTime()", "8640000000000000"),  # 15.9.1.14 TimeClip: the last time value
    ("String(new Date(8.64e15 + 1).getTime())", "NaN"), ("String(Date.UTC(275760, 8, 13, 0, 0, 0, 1))", "NaN"),
    ("new Date(0)", '"1970-01-01T00:00:00.000Z"'),  # digdag.js: JSON.stringify, so toJSON (15.9.5.44)
    ("JSON.stringify({d: new Date(0)})", '{"d":"1970-01-01T00:00:00.000Z"}'),
    ("new Date(0/0)", "null"), ("new Date(0/0).toJSON()", ""),  # toJSON of a non-finite time value is null
    ("new Date(0).toJSON.call({toISOString: function(){ return 'x' }})", "x"),  # 15.9.5.44: generic
    ("new Date(0).getYear()", "70"),  # B.2.4
    ("new Date(2024, 1, 29).getDay()", "4"),  # 15.9.1.6: 2024-02-29 was a Thursday
    ("new Date(2024, 1, 29).getMonth() + '/' + new Date(2024, 1, 29).getFullYear()", "1/2024"),
    ("new Date(1e12) - new Date(0)", "1000000000000"),  # ToPrimitive with hint Number: the time value
    ("+new Date(5)", "5"), ("new Date(1) < new Date(2)", "true"), ("new Date(5).valueOf()", "5"),
    ("typeof new Date(0)", "object"), ("Object.prototype.toString.call(new Date(0))", "[object Date]"),  # 15.9.6
    ("new Date(0) instanceof Date", "true"), ("new Date(0) instanceof Object", "true"),
    ("[] instanceof Date", "false"), ("1 instanceof Date", "false"),
    ("new Date(new Date(5000)).getTime()", "5000"),
])
def test_dates(expression: str, expected: str) -> None:
    assert js(expression) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-01-31", datetime(2024, 1, 31, tzinfo=UTC)),  # 15.9.1.15: date-only forms
    ("2024-01", datetime(2024, 1, 1, tzinfo=UTC)), ("2024", datetime(2024, 1, 1, tzinfo=UTC)),
    ("2024-01-31T10:00", datetime(2024, 1, 31, 10, tzinfo=UTC)),  # "the value of an absent offset is Z"
    ("2024-01-31T10:00:05.250Z", datetime(2024, 1, 31, 10, 0, 5, 250000, tzinfo=UTC)),
    ("2024-01-31T10:00:00+09:00", datetime(2024, 1, 31, 1, tzinfo=UTC)),
    ("2024-01-31T24:00", datetime(2024, 2, 1, tzinfo=UTC)),  # 24:00 ends the day
    ("+002024-01-31T00:00:00Z", datetime(2024, 1, 31, tzinfo=UTC)),  # 15.9.1.15.1
])
def test_date_parse(text: str, expected: datetime) -> None:
    """15.9.4.2 Date.parse and 15.9.3.2 new Date(string), whatever the workflow's zone (the offset is Z)."""
    assert js(f"Date.parse('{text}')", TOKYO) == millis(expected)
    assert js(f"new Date('{text}').getTime()", TOKYO) == millis(expected)


@pytest.mark.parametrize("text", ["2024-13-01", "2024-00-10", "2024-01-32", "2024-01-31T25:00", "2024-01-31T10:60",
                                  "2024-01-31T24:01"])
def test_illegal_element_values_parse_to_nan(text: str) -> None:
    """15.9.4.2: "dates containing illegal element values in the format String shall cause Date.parse to
    return NaN"."""
    assert js(f"String(Date.parse('{text}'))") == "NaN"


def test_other_date_strings_are_not_guessed() -> None:
    """15.9.4.2: strings not in the 15.9.1.15 format fall back to implementation-specific heuristics."""
    for text in ("Jan 31 2024", "2024/01/31", "hello"):
        with pytest.raises(Unevaluable, match="implementation-specific"):
            js(f"new Date('{text}')")


@pytest.mark.parametrize(("expression", "expected"), [
    ("(function(){ var d = new Date(Date.UTC(2024, 0, 31)); d.setUTCMonth(1); return d.toISOString() })()",
     "2024-03-02T00:00:00.000Z"),  # 15.9.5.39: February 31 is March 2
    ("(function(){ var d = new Date(0); return d.setUTCHours(25) })()", "90000000"),  # returns the time value
    ("(function(){ var d = new Date(0); d.setUTCMinutes(1, 2, 3); return d.toISOString() })()",
     "1970-01-01T00:01:02.003Z"),
    ("(function(){ var d = new Date(0/0); d.setUTCFullYear(2020); return d.toISOString() })()",
     "2020-01-01T00:00:00.000Z"),  # 15.9.5.41: a NaN time value starts from +0
    ("(function(){ var d = new Date(0/0); return String(d.setUTCDate(1)) })()", "NaN"),
    ("(function(){ var d = new Date(0); d.setTime(86400000); return d.getUTCDate() })()", "2"),
    ("(function(){ var d = new Date(2024, 0, 31); d.setDate(32); return d.getMonth() + '-' + d.getDate() })()",
     "1-1"),
    ("(function(){ var d = new Date(2024, 0, 31, 12); d.setHours(0); return d.getTime() })()",
     millis(datetime(2024, 1, 31, tzinfo=TOKYO))),
])
def test_date_setters(expression: str, expected: str) -> None:
    assert js(expression, TOKYO) == expected


def test_local_times_that_do_not_exist_or_repeat() -> None:
    """America/Los_Angeles: 2024-03-10 02:30 does not exist, 2024-11-03 01:30 happens twice. ES5.1 15.9.1.8 asks
    for "the current daylight saving time algorithm", which no engine keeps; like GraalJS and ES2015's UTC(t),
    the offset before the transition applies."""
    assert js("new Date(2024, 2, 10, 2, 30).toISOString()", LOS_ANGELES) == "2024-03-10T10:30:00.000Z"
    assert js("new Date(2024, 2, 10, 2, 30).getHours()", LOS_ANGELES) == "3"
    assert js("new Date(2024, 10, 3, 1, 30).toISOString()", LOS_ANGELES) == "2024-11-03T08:30:00.000Z"
    assert js("new Date(Date.UTC(2024, 6, 1)).getTimezoneOffset()", LOS_ANGELES) == "420"  # summer time


@pytest.mark.parametrize(("expression", "error"), [
    ("new Date(0/0).toISOString()", "RangeError"),  # 15.9.5.43: not a finite time value
    ("new Date(0).getTime.call({})", "TypeError"),  # 15.9.5: this must be a Date object
    ("new Date(0).toJSON.call({toISOString: 1})", "TypeError"),  # 15.9.5.44 step 5: toISOString not callable
])
def test_date_errors(expression: str, error: str) -> None:
    with pytest.raises(JsError) as caught:
        js(expression)
    assert caught.value.kind == error


@pytest.mark.parametrize(("expression", "reason"), [
    ("Date.now()", "reads the clock"), ("new Date()", "reads the clock"), ("Date()", "reads the clock"),  # 15.9.2.1
    ("String(new Date(0))", "implementation-dependent"),  # 15.9.5.2 toString
    ("'' + new Date(0)", "implementation-dependent"),  # 11.6.1: ToPrimitive without hint is a String for a Date
    ("new Date(0) == 0", "implementation-dependent"),
    ("new Date(0).toUTCString()", "implementation-dependent"),  # 15.9.5.42
    ("new Date(0).toLocaleDateString()", "implementation-dependent"),
])
def test_what_dates_leave_open_is_not_evaluated(expression: str, reason: str) -> None:
    with pytest.raises(Unevaluable, match=reason) as caught:
        js(expression)
    assert str(caught.value).startswith("not evaluated: ")


# ------------------------------------------------------------------ moment 2.21.0, locale en

# moment's src/test/locale/en.js "format", on moment(new Date(2010, 1, 14, 15, 25, 50, 125))
EN_FORMATS = [
    ("dddd, MMMM Do YYYY, h:mm:ss a", "Sunday, February 14th 2010, 3:25:50 pm"), ("ddd, hA", "Sun, 3PM"),
    ("M Mo MM MMMM MMM", "2 2nd 02 February Feb"), ("YYYY YY", "2010 10"), ("D Do DD", "14 14th 14"),
    ("d do dddd ddd dd", "0 0th Sunday Sun Su"), ("DDD DDDo DDDD", "45 45th 045"), ("h hh", "3 03"),
    ("H HH", "15 15"), ("m mm", "25 25"), ("s ss", "50 50"), ("a A", "pm PM"),
    ("[the] DDDo [day of the year]", "the 45th day of the year"),
    ("LTS", "3:25:50 PM"), ("L", "02/14/2010"), ("LL", "February 14, 2010"), ("LLL", "February 14, 2010 3:25 PM"),
    ("LLLL", "Sunday, February 14, 2010 3:25 PM"), ("l", "2/14/2010"), ("ll", "Feb 14, 2010"),
    ("lll", "Feb 14, 2010 3:25 PM"), ("llll", "Sun, Feb 14, 2010 3:25 PM"),
]


@pytest.mark.parametrize(("pattern", "expected"), EN_FORMATS)
@pytest.mark.parametrize("zone", [UTC, TOKYO, LOS_ANGELES])
def test_moment_en_formats(pattern: str, expected: str, zone: object) -> None:
    assert js(f"moment(new Date(2010, 1, 14, 15, 25, 50, 125)).format('{pattern}')", zone) == expected


@pytest.mark.parametrize(("pattern", "expected"), [
    # moment's src/test/moment/format.js "format escape brackets", on new Date(2009, 1, 14, 15, 25, 50, 125)
    ("[day]", "day"), ("[day] YY [YY]", "day 09 YY"), ("[YY", "[09"), ("[[YY]]", "[YY]"), ("[[]", "["),
    ("[Last]", "Last"), ("[L] L", "L 02/14/2009"), ("[L LL LLL LLLL aLa]", "L LL LLL LLLL aLa"),
    ("[LLL] LLL", "LLL February 14, 2009 3:25 PM"),
    ("LT", "3:25 PM"),  # the en longDateFormat LT of moment 2.21.0 ("h:mm A")
])
def test_moment_localized_tokens_and_brackets(pattern: str, expected: str) -> None:
    assert js(f"moment(new Date(2009, 1, 14, 15, 25, 50, 125)).format('{pattern}')", TOKYO) == expected


def test_moment_and_dates() -> None:
    """moment 2.21.0: moment(date) is the date's instant in local mode; toDate() is new Date(this.valueOf())."""
    assert js("moment(new Date(0)).valueOf()", TOKYO) == "0"
    assert js("moment(new Date(0)).format('YYYY-MM-DD HH:mm')", TOKYO) == "1970-01-01 09:00"
    assert js("moment('2024-01-31T00:00:00+09:00').toDate().getTime()", TOKYO) == millis(
        datetime(2024, 1, 31, tzinfo=TOKYO))
    assert js("moment('2024-01-31T00:00:00+09:00').toDate() instanceof Date", TOKYO) == "true"


# ------------------------------------------------------------------ functions, built-in variables, budgets


def test_a_named_function_expression_sees_its_name_only_inside() -> None:
    """ES5.1 13: the Identifier of a FunctionExpression is bound in the function's own scope, not in the
    enclosing one."""
    assert js("(function fact(n){ return n > 1 ? n * fact(n - 1) : 1 })(10)") == "3628800"
    assert js("(function(){ var g = function f(n){ return n ? f(n - 1) : 'ok' }; return g(3) + typeof f })()") == \
        "okundefined"
    with pytest.raises(Exhausted, match="recursion depth"):
        js("(function f(){ return f() })()")


@pytest.mark.parametrize(("expression", "expected"), [
    # 10.5 step 5: function declarations are bound before the body runs
    ("(function(){ return pad(5); function pad(n){ return n < 10 ? '0' + n : '' + n } })()", "05"),
    ("(function(){ function f(n){ return n ? n * f(n - 1) : 1 } return f(6) })()", "720"),
    # 10.5 step 8: var names are bound to undefined on entry, wherever they are declared
    ("(function(){ var r = typeof x; var x = 1; return r })()", "undefined"),
    ("(function(){ if (true) { var y = 2 } return y })()", "2"),
    ("(function(){ for (var i = 0; i < 3; i++) {} return i })()", "3"),
    ("(function(a){ var a; return a })(7)", "7"),  # 10.5 step 8c: an existing binding is kept; 12.2: no init
])
def test_declarations_are_bound_on_entry(expression: str, expected: str) -> None:
    assert js(expression) == expected


def test_retry_attempt_name_is_undefined_in_a_first_attempt(tmp_path: Path) -> None:
    """RuntimeParams.buildRuntimeParams: params.set("retry_attempt_name", request.getRetryAttemptName().orNull()),
    and Config.set(key, null) removes the key: in an attempt without a retry name (what the dry run simulates)
    the name is not defined, so ${retry_attempt_name} is a ReferenceError and the task fails, as in digdag.
    It does not render ''."""
    run = simulate(tmp_path, "+a:\n  echo>: \"x${retry_attempt_name}\"\n")
    records = {t.full_name: t for t in run.tasks}
    assert records["+wf+a"].state == "error"
    assert "ReferenceError" in records["+wf+a"].errors[0]


SMALL_MEMORY = 100_000


@pytest.mark.parametrize("expression", [
    f"Array({SMALL_MEMORY + 1}).length",  # a big array
    f"Array({SMALL_MEMORY // 2}).join('abc')",  # a long string by join
    f"'ab'.repeat({SMALL_MEMORY})",  # by repeat: refused before it is built
    "(function(){ var s = 'x'; for (var i = 0; i < 40; i++) { s = s.repeat(2) } return s.length })()",
    f"encodeURIComponent(Array({SMALL_MEMORY // 4}).join('\u3042'))",  # nine characters for each one
    f"moment(0).format(Array({SMALL_MEMORY // 10}).join('LLLL'))",
])
def test_memory_budget(expression: str) -> None:
    with pytest.raises(Exhausted, match=r"^not evaluated: exceeds the dry run's memory budget"):
        js(expression, memory=SMALL_MEMORY)
    assert js("Array(1001).join('ab').length", memory=SMALL_MEMORY) == "2000"  # the budget is per evaluation
    assert js(f"'ab'.repeat({MAX_MEMORY // 4}).length") == str(MAX_MEMORY // 2)  # and big enough for real values


def test_step_budget() -> None:
    with pytest.raises(Exhausted, match=r"^not evaluated: exceeds the dry run's step budget"):
        evaluate_text("(function(){ var n = 0; for (var i = 0; i < 1e9; i++) { n += Math.log(i + 1) } return n })()",
                      {}, UTC, max_steps=10_000)
    with pytest.raises(Exhausted, match=r"^not evaluated: exceeds the dry run's step budget"):
        evaluate_text("Array(1000).join('x').split('').map(function(c){ for (var i = 0; i < 100; i++) {} return c })",
                      {}, UTC, max_steps=10_000)
    with pytest.raises(Exhausted, match=r"^not evaluated: exceeds the dry run's step budget"):  # one step a token
        evaluate_text("moment(0).format(Array(20000).join('LLLL'))", {}, UTC, max_steps=10_000)


def test_string_repeat_is_javas() -> None:
    """Not in ES5 (GraalJS installs String.prototype.repeat from ES2015 on); digdag's GraalJS context reaches
    java.lang.String.repeat(int) through its host access for String methods."""
    assert js("'ab'.repeat(3)") == "ababab"
    assert js("'ab'.repeat(0)") == ""
    with pytest.raises(Unevaluable, match="Java int"):
        js("'ab'.repeat(-1)")
