"""A file that is not valid UTF-8.

## What it does
Reports the first byte that cannot be decoded as UTF-8; the rest of the file is still checked with that byte replaced.

## Why is this bad?
digdag reads workflow files as UTF-8; text saved in Shift_JIS or Latin-1 turns into replacement characters in task names, messages and queries.

## Example
<!-- test: skip: a text file cannot hold the Shift_JIS bytes -->
```yaml
# saved as Shift_JIS
+step:
  echo>: (bytes 0x82 0xA0, not UTF-8)
```

## Use instead
```yaml
# saved as UTF-8
+step:
  echo>: あ
```
"""

from dig_lsp.checks.base import findings_from_problems
from dig_lsp.diagnostics import Severity
from dig_lsp.syntax import problems as kinds

CODE = "DL106"
NAME = "invalid-encoding"
SEVERITY = Severity.ERROR

check = findings_from_problems(kinds.ENCODING)
