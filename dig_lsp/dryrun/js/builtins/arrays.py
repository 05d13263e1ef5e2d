"""``Array`` (ES5.1 15.4.1-2) and ``Array.prototype`` methods (15.4.4)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from typing import Any

from dig_lsp.dryrun.js.budget import charge
from dig_lsp.dryrun.js.errors import JsError
from dig_lsp.dryrun.js.operators import strict_equals
from dig_lsp.dryrun.js.values import (
    HOLE,
    UNDEFINED,
    JsFunction,
    Native,
    Runtime,
    arg,
    join,
    read,
    relative_index,
    to_number,
    to_string,
    truthy,
)


def _callback(interp: Runtime, args: list[Any]) -> Any:
    function = arg(args, 0)
    if not isinstance(function, JsFunction | Native):
        raise JsError("TypeError", f"{to_string(function)} is not a function")
    return function


def _sort(interp: Runtime, items: list[Any], args: list[Any]) -> list[Any]:
    """15.4.4.11: undefined values after the others and holes after them, the comparator (or the order of
    ToString) for the rest."""
    import functools

    compare = arg(args, 0)
    present = [v for v in items if v is not UNDEFINED and v is not HOLE]
    if compare is UNDEFINED:
        present.sort(key=to_string)
    else:
        def order(a: Any, b: Any) -> int:
            result = to_number(interp.call(compare, UNDEFINED, [a, b]))
            return -1 if result < 0 else (1 if result > 0 else 0)
        present.sort(key=functools.cmp_to_key(order))
    undefined = sum(1 for v in items if v is UNDEFINED)
    items[:] = present + [UNDEFINED] * undefined + [HOLE] * (len(items) - len(present) - undefined)
    return items


def array_member(interp: Runtime, items: list[Any], name: str) -> Any:
    if name == "length":
        return float(len(items))
    if re.fullmatch(r"\d+", name):
        return read(items[int(name)]) if int(name) < len(items) else UNDEFINED

    def present(args: list[Any]) -> Iterator[tuple[int, Any, Any]]:
        """(index, element, callback result) for each element present when it is visited; the length is the
        one at the start (15.4.4.16-20 step 3), an element removed meanwhile is not visited."""
        function = _callback(interp, args)
        this = arg(args, 1)
        for i in range(len(items)):
            if i < len(items) and items[i] is not HOLE:
                yield i, items[i], interp.call(function, this, [items[i], float(i), items])

    def map_items(args: list[Any]) -> list[Any]:
        result: list[Any] = [HOLE] * len(items)  # 15.4.4.19: holes stay holes
        for i, _, value in present(args):
            result[i] = value
        return result

    def reduce(args: list[Any]) -> Any:
        function = _callback(interp, args)
        indexes = [i for i, v in enumerate(items) if v is not HOLE]
        if len(args) > 1:
            accumulator = args[1]
        elif indexes:
            accumulator = items[indexes.pop(0)]
        else:
            raise JsError("TypeError", "Reduce of empty array with no initial value")
        for i in indexes:
            if i < len(items) and items[i] is not HOLE:
                accumulator = interp.call(function, UNDEFINED, [accumulator, items[i], float(i), items])
        return accumulator

    methods: dict[str, Callable[[list[Any]], Any]] = {
        "join": lambda a: join(items, "," if arg(a, 0) is UNDEFINED else to_string(a[0])),
        "toString": lambda a: to_string(items),
        "concat": lambda a: _concat_items(items, a),
        "slice": lambda a: items[relative_index(arg(a, 0), len(items), 0):
                                 relative_index(arg(a, 1), len(items), len(items))],
        "indexOf": lambda a: float(next((i for i, v in enumerate(items) if strict_equals(v, arg(a, 0))), -1)),
        "map": map_items,
        "forEach": lambda a: (list(present(a)), UNDEFINED)[1],
        "filter": lambda a: [v for _, v, keep in present(a) if truthy(keep)],
        "some": lambda a: any(truthy(keep) for _, _, keep in present(a)),
        "every": lambda a: all(truthy(keep) for _, _, keep in present(a)),
        "reduce": reduce,
        "push": lambda a: _push(items, a),
        "pop": lambda a: read(items.pop()) if items else UNDEFINED,
        "shift": lambda a: read(items.pop(0)) if items else UNDEFINED,
        "reverse": lambda a: _reverse(items),
        "sort": lambda a: _sort(interp, items, a),
    }
    method = methods.get(name)
    if method is None:
        return UNDEFINED
    bound = method
    return Native(name, lambda this, args: _charged_array(items, bound(args)))


def _charged_array(items: list[Any], result: Any) -> Any:
    """Charge what an array method built: a new array (not the one it changed in place)."""
    if isinstance(result, list) and result is not items:
        charge(len(result))
    return result


def _concat_items(items: list[Any], args: list[Any]) -> list[Any]:
    charge(len(items) + sum(len(arg) if isinstance(arg, list) else 1 for arg in args))
    return items + [x for arg in args for x in (arg if isinstance(arg, list) else [arg])]


def _push(items: list[Any], values: list[Any]) -> float:
    charge(len(values))
    items.extend(values)
    return float(len(items))


def _reverse(items: list[Any]) -> list[Any]:
    items.reverse()
    return items


def new_array(this: Any, args: list[Any]) -> list[Any]:
    """``Array(...)`` and ``new Array(...)`` (15.4.1, 15.4.2): one Number is a length (of holes)."""
    if len(args) == 1 and isinstance(args[0], float | int) and not isinstance(args[0], bool):
        length = float(args[0])
        if not (math.isfinite(length) and length == int(length) and 0 <= length < 2 ** 32):
            raise JsError("RangeError", "Invalid array length")
        charge(int(length))
        return [HOLE] * int(length)
    charge(len(args))
    return list(args)
