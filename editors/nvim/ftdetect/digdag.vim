" digdag workflow files. Vim script, so it works on every Neovim (and Vim) version.
autocmd BufRead,BufNewFile *.dig set filetype=digdag
