" Syntax for digdag workflow files (.dig), without Tree-sitter: task keys (+name), operators
" (name>), _directives, top-level keys, ${...} expressions, strings, numbers and comments.
if exists('b:current_syntax')
  finish
endif

syntax case match

syntax match digdagComment /\%(^\|\s\)\zs#.*$/ contains=@Spell

" Keys: everything up to ': ' or ':' at the end of the line, after optional indentation and '- '.
syntax match digdagKey /^\s*\%(-\s\+\)\?\zs[^ \t#'"{}\[\],][^#]\{-}\ze\s*:\%(\s\|$\)/ contains=digdagTaskKey,digdagOperator,digdagDirective
syntax match digdagTaskKey /+[^:]*/ contained
syntax match digdagOperator /[A-Za-z_][A-Za-z0-9_.-]*?\?>\ze\s*:/ contained
syntax match digdagDirective /\<_\%(export\|parallel\|background\|after\|retry\|error\|check\|do\|else_do\|env\|secrets\|type\|command\|workdir\|disable\)\ze\s*:/ contained
syntax match digdagTopLevelKey /^\%(timezone\|schedule\|sla\)\ze\s*:\%(\s\|$\)/
syntax match digdagInclude /^\s*\zs!include\ze\s*:/
syntax match digdagDocument /^\%(---\|\.\.\.\)\s*$/

" ${...}: a JavaScript expression (nested braces allowed); ${secret:...} is for the operator.
syntax region digdagExpression matchgroup=digdagExpressionDelimiter start=/\${/ end=/}/ contains=digdagExpressionBraces,digdagJsString oneline
syntax region digdagExpressionBraces start=/{/ end=/}/ contained contains=digdagExpressionBraces,digdagJsString oneline
syntax region digdagJsString start=/'/ skip=/\\'/ end=/'/ contained oneline
syntax match digdagSecret /\${[a-z]\+:[^}]*}/ contains=digdagExpression
syntax match digdagDollarEscape /\$\$\ze[^{]/

syntax region digdagString start=/"/ skip=/\\\\\|\\"/ end=/"/ contains=digdagExpression,digdagSecret,digdagEscape
syntax region digdagString start=/'/ skip=/''/ end=/'/ contains=digdagExpression,digdagSecret
syntax match digdagEscape /\\./ contained

syntax match digdagBoolean /:\s\+\zs\%(true\|True\|false\|False\)\ze\s*\%(#.*\)\?$/
syntax match digdagNull /:\s\+\zs\%(null\|Null\|NULL\|\~\)\ze\s*\%(#.*\)\?$/
syntax match digdagNumber /:\s\+\zs[-+]\?\%([1-9][0-9_]*\%(\.[0-9_]*\)\?\|0\)\ze\s*\%(#.*\)\?$/
syntax match digdagAnchor /[&*][^ \t,\[\]{}]\+/

highlight default link digdagComment Comment
highlight default link digdagKey Identifier
highlight default link digdagTaskKey Function
highlight default link digdagOperator Statement
highlight default link digdagDirective Keyword
highlight default link digdagTopLevelKey Type
highlight default link digdagInclude Include
highlight default link digdagDocument PreProc
highlight default link digdagExpression Special
highlight default link digdagExpressionBraces Special
highlight default link digdagExpressionDelimiter Delimiter
highlight default link digdagJsString String
highlight default link digdagSecret Constant
highlight default link digdagDollarEscape SpecialChar
highlight default link digdagString String
highlight default link digdagEscape SpecialChar
highlight default link digdagBoolean Boolean
highlight default link digdagNull Constant
highlight default link digdagNumber Number
highlight default link digdagAnchor Label

let b:current_syntax = 'digdag'
