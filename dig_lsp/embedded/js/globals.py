"""The names a ``${...}`` can use without a param of that name (digdag's JavaScript context)."""

from __future__ import annotations

# ES5 global object properties (ECMA-262 5.1 section 15.1) plus Annex B escape/unescape.
_ES5_GLOBALS = frozenset({
    "NaN", "Infinity", "undefined", "eval", "parseInt", "parseFloat", "isNaN", "isFinite",
    "decodeURI", "decodeURIComponent", "encodeURI", "encodeURIComponent", "escape", "unescape",
    "Object", "Function", "Array", "String", "Boolean", "Number", "Date", "RegExp", "Error",
    "EvalError", "RangeError", "ReferenceError", "SyntaxError", "TypeError", "URIError", "Math", "JSON",
})

JS_GLOBALS: frozenset[str] = _ES5_GLOBALS | frozenset({
    # ConfigEvalEngine.LIBRARY_JS_RESOURCES loads moment.min.js (Moment.js 2.21.0) into every context.
    "moment",
    # digdag.js: `function template(...)` is declared at the top level of the library script, and the
    # generated function starts `var __t,__p='',__j=Array.prototype.join,print=function(){...}`.
    "template", "print", "__t", "__p", "__j",
})
"""Names a ``${...}`` can always use without a param of that name.

Left out on purpose (not verifiable from digdag's source): engine-provided globals such as GraalJS's
``Java``/``Polyglot``/``load`` and Nashorn-compat extras; also the accidental globals ``m``, ``all`` and
``match`` that digdag.js's extended-syntax loop assigns without ``var``.
"""
