"""Numbers as ES5.1 defines them: ToString (9.8.1), ``Number.prototype`` formatting (15.7.4) and ``Math`` (15.8).

digdag runs GraalJS with ``js.ecmascript-version=5`` (``GraalJsEngine.createEngine``), so ``Math`` has only
the ES5 functions (GraalJS ``MathBuiltins`` installs ``trunc``, ``log10``, ``sign``... from version 6 on) and
``toFixed``/``toExponential`` take 0 to 20 digits (``NumberPrototypeBuiltins``: 100 only from ES2018).

Decimal digits come from the exact binary value (:class:`decimal.Decimal` of a float is exact), so
``toFixed``, ``toExponential`` and ``toPrecision`` pick "the larger n" on an exact tie as the spec says
(``(2.5).toFixed(0)`` is ``"3"``, ``(1.005).toFixed(2)`` is ``"1.00"``: 1.005 is 1.00499999999999989...).
ToString uses the shortest digits that read back as the same double (Python's ``repr`` is such a
"k as small as possible" choice, and the closest one, as 9.8.1 note 2 recommends).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, localcontext

from dig_lsp.dryrun.js.errors import JsError, Unevaluable


def shortest_digits(number: float) -> tuple[str, int]:
    """For a finite positive ``number``: the digits ``s`` (no trailing zeros) and ``n`` of ES5.1 9.8.1 step 5,
    ``number == s * 10 ** (n - len(s))`` with ``len(s)`` as small as possible."""
    _, digits, exponent = Decimal(repr(number)).as_tuple()
    assert isinstance(exponent, int)  # a finite number
    text = "".join(map(str, digits)).lstrip("0")
    stripped = text.rstrip("0")
    exponent += len(text) - len(stripped)
    return stripped, exponent + len(stripped)


def number_to_string(number: float) -> str:
    """ES5.1 9.8.1 ToString applied to the Number type."""
    if math.isnan(number):
        return "NaN"
    if number == 0:
        return "0"  # +0 and -0 (step 2)
    if number < 0:
        return "-" + number_to_string(-number)
    if math.isinf(number):
        return "Infinity"
    if number < 2 ** 53 and number == math.floor(number):
        return str(int(number))  # every integer below 2^53 is a double of its own: its digits are the shortest
    s, n = shortest_digits(number)
    k = len(s)
    if k <= n <= 21:
        return s + "0" * (n - k)
    if 0 < n <= 21:
        return s[:n] + "." + s[n:]
    if -6 < n <= 0:
        return "0." + "0" * -n + s
    exponent = n - 1
    sign = "+" if exponent >= 0 else "-"
    mantissa = s if k == 1 else s[0] + "." + s[1:]
    return f"{mantissa}e{sign}{abs(exponent)}"


def to_integer(number: float) -> float:
    """ES5.1 9.4 ToInteger (of a number already converted by ToNumber)."""
    if math.isnan(number):
        return 0.0
    if math.isinf(number) or number == 0:
        return number
    return math.copysign(math.floor(abs(number)), number)


def _round_half_up(value: Decimal) -> int:
    """The integer closest to ``value`` (>= 0), the larger one on a tie (15.7.4.5 step 8a and the like)."""
    with localcontext() as context:
        context.prec = 1200  # a double has at most 1,074 fraction digits: every quotient here is exact
        return int(value.to_integral_value(rounding=ROUND_HALF_UP))


def _scaled(number: float, power: int) -> Decimal:
    """``number / 10 ** power`` exactly."""
    with localcontext() as context:
        context.prec = 1200
        return Decimal(number).scaleb(-power)


def to_fixed(number: float, fraction_digits: float) -> str:
    """ES5.1 15.7.4.5 ``Number.prototype.toFixed``."""
    f = to_integer(fraction_digits)
    if f < 0 or f > 20:
        raise JsError("RangeError", "toFixed() digits argument must be between 0 and 20")
    digits = int(f)
    if math.isnan(number):
        return "NaN"
    sign, number = _sign_and_magnitude(number)
    if number >= 1e21:
        return sign + number_to_string(number)
    n = _round_half_up(_scaled(number, -digits))
    m = "0" if n == 0 else str(n)
    if digits != 0:
        k = len(m)
        if k <= digits:
            m = "0" * (digits + 1 - k) + m
            k = digits + 1
        m = m[: k - digits] + "." + m[k - digits:]
    return sign + m


def _significant(number: float, precision: int) -> tuple[str, int]:
    """``n`` (as ``precision`` digits) and ``e`` with ``10**(p-1) <= n < 10**p`` and ``n * 10**(e-p+1) - x``
    closest to zero, the larger n on a tie (15.7.4.6 step 9a, 15.7.4.7 step 10a); ``number`` > 0."""
    e = Decimal(number).adjusted()
    n = _round_half_up(_scaled(number, e - precision + 1))
    if n >= 10 ** precision:  # rounding carried into one more digit (9.99 -> 10.0)
        e += 1
        n = _round_half_up(_scaled(number, e - precision + 1))
    return str(n), e


def _sign_and_magnitude(number: float) -> tuple[str, float]:
    """``("-", -x)`` for a negative ``x``, else ``("", x)``: toFixed, toExponential and toPrecision each
    format the magnitude and put the sign back (ES5.1 15.7.4.5 step 6, 15.7.4.6 step 5, 15.7.4.7 step 5)."""
    return ("-", -number) if number < 0 else ("", number)


def _exponent_suffix(e: int) -> str:
    return "e" + ("+" if e >= 0 else "-") + str(abs(e))


def to_exponential(number: float, fraction_digits: object, undefined: bool) -> str:
    """ES5.1 15.7.4.6 ``Number.prototype.toExponential``; ``undefined``: the argument was undefined."""
    f = 0.0 if undefined else to_integer(float(fraction_digits))  # type: ignore[arg-type]
    if math.isnan(number):
        return "NaN"
    sign, number = _sign_and_magnitude(number)
    if math.isinf(number):
        return sign + "Infinity"
    if f < 0 or f > 20:
        raise JsError("RangeError", "toExponential() argument must be between 0 and 20")
    if number == 0:
        m, e = "0" * (int(f) + 1), 0
    elif undefined:
        m, n = shortest_digits(number)
        e = n - 1
    else:
        m, e = _significant(number, int(f) + 1)
    if len(m) > 1:
        m = m[0] + "." + m[1:]
    return sign + m + _exponent_suffix(e)


def to_precision(number: float, precision: float) -> str:
    """ES5.1 15.7.4.7 ``Number.prototype.toPrecision`` with a defined ``precision`` (undefined: ToString)."""
    p = to_integer(precision)
    if math.isnan(number):
        return "NaN"
    sign, number = _sign_and_magnitude(number)
    if math.isinf(number):
        return sign + "Infinity"
    if p < 1 or p > 21:
        raise JsError("RangeError", "toPrecision() argument must be between 1 and 21")
    digits = int(p)
    if number == 0:
        m, e = "0" * digits, 0
    else:
        m, e = _significant(number, digits)
        if e < -6 or e >= digits:
            return sign + (m if digits == 1 else m[0] + "." + m[1:]) + _exponent_suffix(e)
    if e == digits - 1:
        return sign + m
    if e >= 0:
        return sign + m[: e + 1] + "." + m[e + 1:]
    return sign + "0." + "0" * -(e + 1) + m


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def to_radix_string(number: float, radix: float) -> str:
    """ES5.1 15.7.4.2 ``Number.prototype.toString(radix)``.

    Radix 10 is ToString. For other radixes the spec leaves the algorithm to the implementation ("a
    generalization of 9.8.1"): integers up to 2^53 have one exact answer, which is computed; fractions and
    larger numbers are not evaluated rather than guessed.
    """
    r = to_integer(radix)
    if r < 2 or r > 36:
        raise JsError("RangeError", "toString() radix argument must be between 2 and 36")
    if r == 10 or math.isnan(number) or math.isinf(number):
        return number_to_string(number)
    if number != math.floor(number) or abs(number) > 2 ** 53:
        raise Unevaluable("not evaluated: Number.prototype.toString with a radix other than 10 is "
                          "implementation-dependent for fractions and numbers beyond 2^53 (ES5.1 15.7.4.2)")
    value, base, out = abs(int(number)), int(r), []
    while True:
        value, digit = divmod(value, base)
        out.append(_DIGITS[digit])
        if value == 0:
            break
    return ("-" if number < 0 else "") + "".join(reversed(out))


# ------------------------------------------------------------------------------------------ Math (15.8.2)


def _is_odd_integer(y: float) -> bool:
    return math.isfinite(y) and y == math.floor(y) and math.fmod(y, 2) != 0


def js_pow(x: float, y: float) -> float:
    """15.8.2.13 ``Math.pow`` (and the cases where it differs from C's ``pow``: ``pow(1, Infinity)`` is NaN)."""
    if math.isnan(y):
        return math.nan
    if y == 0:
        return 1.0
    if math.isnan(x):
        return math.nan
    if math.isinf(y):
        if abs(x) == 1:
            return math.nan
        return (math.inf if y > 0 else 0.0) if abs(x) > 1 else (0.0 if y > 0 else math.inf)
    if math.isinf(x) or x == 0:
        negative = math.copysign(1, x) < 0 and _is_odd_integer(y)
        huge = (y > 0) == math.isinf(x)
        result = math.inf if huge else 0.0
        return -result if negative else result
    if x < 0 and y != math.floor(y):
        return math.nan
    try:
        return math.pow(x, y)
    except OverflowError:
        return -math.inf if x < 0 and _is_odd_integer(y) else math.inf


def js_round(x: float) -> float:
    """15.8.2.15 ``Math.round``: the closest integer, the one closer to +Infinity on a tie; -0 for -0.5 <= x < 0.

    Not ``floor(x + 0.5)``: for 0.49999999999999994 the sum rounds up to 1.0 in binary.
    """
    if not math.isfinite(x) or x == 0:
        return x
    if -0.5 <= x < 0:
        return -0.0
    floor = math.floor(x)
    return float(floor + 1 if x - floor >= 0.5 else floor)


def js_floor(x: float) -> float:
    """15.8.2.9 ``Math.floor`` (keeps -0)."""
    return x if not math.isfinite(x) or x == 0 else float(math.floor(x))


def js_ceil(x: float) -> float:
    """15.8.2.6 ``Math.ceil``: -0 for -1 < x < 0."""
    if not math.isfinite(x) or x == 0:
        return x
    return -0.0 if -1 < x < 0 else float(math.ceil(x))


def js_log(x: float) -> float:
    """15.8.2.10 ``Math.log``: NaN below 0, -Infinity at +0 and -0."""
    if math.isnan(x) or x < 0:
        return math.nan
    if x == 0:
        return -math.inf
    return math.log(x)


def js_exp(x: float) -> float:
    """15.8.2.8 ``Math.exp``."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _libm(function: Callable[[float], float]) -> Callable[[float], float]:
    """A C library function whose domain errors are NaN in JavaScript (acos(2), sin(Infinity), sqrt(-1))."""
    def call(x: float) -> float:
        try:
            return float(function(x))
        except ValueError:
            return math.nan
    return call


def js_min_max(numbers: list[float], largest: bool) -> float:
    """15.8.2.11/12 ``Math.max``/``Math.min``: NaN if any is NaN, +0 larger than -0, -Infinity/+Infinity when empty."""
    result = -math.inf if largest else math.inf
    for value in numbers:
        if math.isnan(value):
            return math.nan
        positive_zero_wins = value == result == 0 and (math.copysign(1, value) > 0) == largest
        if (value > result if largest else value < result) or positive_zero_wins:
            result = value
    return result


UNARY: dict[str, Callable[[float], float]] = {
    "abs": abs, "acos": _libm(math.acos), "asin": _libm(math.asin), "atan": _libm(math.atan),
    "ceil": js_ceil, "cos": _libm(math.cos), "exp": js_exp, "floor": js_floor, "log": js_log,
    "round": js_round, "sin": _libm(math.sin), "sqrt": _libm(math.sqrt), "tan": _libm(math.tan),
}
"""The one-argument functions of ES5.1 15.8.2 (``sqrt(-0)`` is -0 in C as in 15.8.2.17)."""

CONSTANTS = {
    "E": 2.718281828459045, "LN10": 2.302585092994046, "LN2": 0.6931471805599453, "LOG2E": 1.4426950408889634,
    "LOG10E": 0.4342944819032518, "PI": 3.141592653589793, "SQRT1_2": 0.7071067811865476, "SQRT2": 1.4142135623730951,
}
"""15.8.1: the Number value nearest to each."""
