"""The built-in objects of the dry run's ES5: the global names (:mod:`.globals`) and the methods of each kind of
value (strings, arrays, objects and functions, numbers and booleans, dates, moments).

A built-in is a :class:`~dig_lsp.dryrun.js.values.Native` called as ``call(this, args)``; one that calls back into
the template (``map``, ``sort``, ``replace`` with a function...) does it through the
:class:`~dig_lsp.dryrun.js.values.Runtime` it is given.
"""
