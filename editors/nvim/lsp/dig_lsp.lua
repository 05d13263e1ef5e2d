-- Neovim 0.11+ reads this file for `vim.lsp.config('dig_lsp')` / `vim.lsp.enable('dig_lsp')`
-- when editors/nvim is on 'runtimepath'. require('dig_lsp').setup() does the same and more.
return require('dig_lsp').default_config()
