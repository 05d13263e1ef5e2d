" digdag .dig files are YAML: two-space indentation, '#' comments.
if exists('b:did_ftplugin')
  finish
endif
let b:did_ftplugin = 1

setlocal expandtab shiftwidth=2 softtabstop=2 tabstop=2
setlocal commentstring=#\ %s comments=:#
setlocal iskeyword+=-,>,+
setlocal indentkeys-=0#

let b:undo_ftplugin = 'setlocal expandtab< shiftwidth< softtabstop< tabstop< commentstring< comments< iskeyword< indentkeys<'
