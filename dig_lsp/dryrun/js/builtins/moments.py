"""The ``moment`` global (Moment.js 2.21.0, which digdag loads) and the methods of a moment, over
:mod:`dig_lsp.dryrun.js.moment`."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from dig_lsp.dryrun.js.budget import charged
from dig_lsp.dryrun.js.date import JsDate
from dig_lsp.dryrun.js.errors import JsError, Unevaluable
from dig_lsp.dryrun.js.moment import Moment, MomentError, moment_call, moment_method
from dig_lsp.dryrun.js.values import Native, Runtime, arg, to_number, to_python


def moment_member(interp: Runtime, name: str) -> Native:
    """A method of a moment (``moment(x).format``...): :func:`~dig_lsp.dryrun.js.moment.moment_method` on plain
    values, what it builds charged."""
    return Native(name, lambda this, args: _moment_method(interp, this, name, args))


def _moment_method(interp: Runtime, this: Any, name: str, args: list[Any]) -> Any:
    if not isinstance(this, Moment):
        raise JsError("TypeError", f"{name} called on a non-moment")
    if name == "toDate":  # moment 2.21.0: new Date(this.valueOf())
        return JsDate(float(this.epoch_millis()))
    try:
        return charged(moment_method(this, name, [to_python(a) if not isinstance(a, Moment) else a
                                                   for a in args], interp.tick))
    except MomentError as error:
        raise Unevaluable(str(error)) from None


def moment_global(interp: Runtime) -> Native:
    def create(utc: bool) -> Callable[[Any, list[Any]], Any]:
        def call(this: Any, args: list[Any]) -> Any:
            try:
                return moment_call([a if isinstance(a, Moment) else to_python(a) for a in args], interp.zone, utc)
            except MomentError as error:
                raise Unevaluable(str(error)) from None
        return call

    def unix(this: Any, args: list[Any]) -> Any:
        seconds = to_number(arg(args, 0))
        if not math.isfinite(seconds):
            raise Unevaluable("moment.unix() of a non-number")
        stamp = datetime.fromtimestamp(0, UTC) + timedelta(seconds=seconds)
        return Moment(stamp.astimezone(interp.zone), interp.zone, False)

    return Native("moment", create(False), {"utc": Native("utc", create(True)), "unix": Native("unix", unix)})
