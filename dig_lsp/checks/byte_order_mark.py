"""A UTF-8 byte order mark at the start of a file.

## What it does
Reports a leading U+FEFF.

## Why is this bad?
digdag skips it, but other tools (shell scripts that read the file, diff viewers, `grep ^+`) do not; it is invisible and usually left by a Windows editor.

## Example
<!-- test: skip: the byte order mark is invisible in the docs -->
```yaml
+step:   # preceded by an invisible U+FEFF
  echo>: hello
```

## Use instead
```yaml
+step:
  echo>: hello
```
"""

from dig_lsp.checks.base import findings_from_problems
from dig_lsp.diagnostics import Severity
from dig_lsp.syntax import problems as kinds

CODE = "DL107"
NAME = "byte-order-mark"
SEVERITY = Severity.INFO

check = findings_from_problems(kinds.BYTE_ORDER_MARK)
