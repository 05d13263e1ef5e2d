"""The ``Date`` global (ES5.1 15.9.2-4) and ``Date.prototype`` methods (15.9.5) over :mod:`dig_lsp.dryrun.js.date`."""

from __future__ import annotations

import math
from typing import Any

from dig_lsp.dryrun.js import date as jsdate
from dig_lsp.dryrun.js.date import JsDate
from dig_lsp.dryrun.js.errors import JsError, Unevaluable
from dig_lsp.dryrun.js.values import UNDEFINED, JsFunction, Native, Runtime, arg, to_number, to_primitive, to_string


def date_member(interp: Runtime, name: str) -> Any:
    """A Date.prototype method (ES5.1 15.9.5); each throws a TypeError on anything but a Date."""
    def this_date(this: Any) -> JsDate:
        if not isinstance(this, JsDate):
            raise JsError("TypeError", "this is not a Date object.")
        return this

    if name == "toJSON":  # 15.9.5.44, generic: null for a non-finite Number, else this.toISOString()
        def to_json(this: Any, args: list[Any]) -> Any:
            value = to_primitive(this, True)
            if isinstance(value, float | int) and not isinstance(value, bool) and not math.isfinite(value):
                return None
            method = interp.get_member(this, "toISOString")
            if not isinstance(method, JsFunction | Native):
                raise JsError("TypeError", "toISOString is not a function")
            return interp.call(method, this, [])
        return Native(name, to_json)
    if name in jsdate.IMPLEMENTATION_DEPENDENT:
        def unspecified(this: Any, args: list[Any]) -> Any:
            if math.isnan(this_date(this).time):
                return "Invalid Date"
            raise jsdate.not_specified(name)
        return Native(name, unspecified)
    if name in jsdate.METHODS:
        return Native(name, lambda this, args: jsdate.call_method(this_date(this), name, [to_number(a) for a in args],
                                                                  interp.zone))
    return UNDEFINED


def _clock(what: str) -> Native:
    def call(this: Any, args: list[Any]) -> Any:
        raise Unevaluable(f"not evaluated: {what} reads the clock when digdag runs the task (a different value at "
                          f"each run)")
    return Native(what.split("(")[0], call)


def _date_value(interp: Runtime, args: list[Any]) -> float:
    """The time value of ``new Date(...)`` (15.9.3)."""
    if not args:
        raise Unevaluable("not evaluated: new Date() reads the clock when digdag runs the task (a different value "
                          "at each run)")
    if len(args) > 1:
        return jsdate.from_fields([to_number(a) for a in args], interp.zone)
    value = args[0]
    if isinstance(value, JsDate):
        # ES5.1 15.9.3.2 reads the Date's toString() (implementation-dependent, whole seconds) back with parse;
        # later editions copy the time value. Both agree on whole seconds.
        if math.isfinite(value.time) and value.time % 1000:
            raise Unevaluable("not evaluated: new Date(date) of a date with milliseconds: ES5.1 goes through the "
                              "implementation-dependent toString() (15.9.3.2), later editions copy the time value")
        return value.time
    primitive = to_primitive(value)
    if isinstance(primitive, str):
        return jsdate.parse(primitive)
    return jsdate.time_clip(to_number(primitive))


def date_global(interp: Runtime) -> Native:
    return Native("Date", _clock("Date()").call, {
        "UTC": Native("UTC", lambda this, args: jsdate.from_fields([to_number(a) for a in args], None)),
        "parse": Native("parse", lambda this, args: jsdate.parse(to_string(arg(args, 0)))),
        "now": _clock("Date.now()"),
    }, construct=lambda args: JsDate(_date_value(interp, args)))
