"""A small ES5 interpreter for ``${...}`` templates, sandboxed by construction.

digdag evaluates each template as ES5 JavaScript (GraalJS with ``js.ecmascript-version=5``,
reference section 5.1) inside ``with(this){...}`` so that task params are bare names, with
Moment.js 2.21.0 loaded as the global ``moment`` and the workflow timezone as the JS timezone.
The generated code is ``(__t=(EXPR))==null?'':(typeof __t=="string"?__t:JSON.stringify(__t))``
(``digdag-core/src/main/resources/io/digdag/core/agent/digdag.js``), which :func:`template_text`
(:mod:`.template`) mirrors.

The interpreter (:mod:`.interpreter`) walks pyjsparser's ESTree AST (:mod:`.parse`). Nothing reaches the
host: identifiers resolve only to the given params and to the built-ins (:mod:`.builtins`), member access is a
lookup in our own value types (never ``getattr``), and every step counts against a step budget and a wall clock
budget, every string, array and object built against a memory budget, and every nested function call against a
recursion depth (:mod:`.budget`; :class:`Exhausted` says which ran out: digdag's engine has none of these
limits, ``GraalJsEngine`` builds its context without resource limits).

What it does not implement (regular expressions, the clock, ``eval``, ``new`` of anything but ``Date``,
``Array`` and ``Object``, unknown methods) and what ES5.1 leaves to the implementation (``Date`` strings
other than ISO, radix strings of fractions) raise :class:`Unevaluable` with the reason: the dry run shows
such a template unevaluated instead of guessing. Numbers follow :mod:`.number` (ToString, ``toFixed``,
``Math``), dates :mod:`.date` (in the workflow's time zone, as digdag's engine) and URIs :mod:`.uri`.
JavaScript errors that digdag would also raise (``ReferenceError`` for an undefined name, ``TypeError``
for a field of ``undefined``, ``RangeError``, ``URIError``) raise :class:`JsError`.

The modules: :mod:`.values` (the values and ES5.1's conversions), :mod:`.operators`, :mod:`.interpreter`,
:mod:`.builtins` (the global names and the methods of each kind of value), :mod:`.json`, :mod:`.date`,
:mod:`.moment`, :mod:`.number`, :mod:`.uri`, :mod:`.errors`, :mod:`.budget`, :mod:`.parse` and :mod:`.template`.
"""

from __future__ import annotations

from dig_lsp.dryrun.js.budget import MAX_CALL_DEPTH, MAX_MEMORY, NO_LIMIT_IN_DIGDAG
from dig_lsp.dryrun.js.errors import Exhausted, JsError, Unevaluable
from dig_lsp.dryrun.js.interpreter import evaluate
from dig_lsp.dryrun.js.number import number_to_string
from dig_lsp.dryrun.js.template import evaluate_text, template_text
from dig_lsp.dryrun.js.values import UNDEFINED, from_python, to_number, to_string

__all__ = ["MAX_CALL_DEPTH", "MAX_MEMORY", "NO_LIMIT_IN_DIGDAG", "UNDEFINED", "Exhausted", "JsError", "Unevaluable",
           "evaluate", "evaluate_text", "from_python", "number_to_string", "template_text", "to_number", "to_string"]
