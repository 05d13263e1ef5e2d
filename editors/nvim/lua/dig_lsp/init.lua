-- dig-lsp for Neovim: starts the `dig-lsp` language server for digdag (.dig) buffers.
--
--   require('dig_lsp').setup({
--     cmd = { vim.fn.expand('~/.venv/bin/dig-lsp') },   -- default: { 'dig-lsp' }
--     settings = { profile = 'treasure-data', ignore = { 'DL107' } },
--   })
--
-- On Neovim 0.11+ this uses vim.lsp.config / vim.lsp.enable; on 0.7 to 0.10 it starts one
-- client per project root with vim.lsp.start_client and attaches every digdag buffer of that
-- root to it (only functions that exist since 0.7 are used on that path).
local M = {}

M.name = 'dig_lsp'
-- SQL buffers too: the queries a workflow renders get their SQL and ${...} findings where they are
-- written (the server answers nothing for a file that no digdag project uses)
M.filetypes = { 'digdag', 'sql' }
M.root_markers = { '.dig-lint.toml', 'pyproject.toml', '.git' }

local defaults = {
  cmd = { 'dig-lsp' },
  -- the filetypes the server attaches to (add 'yaml' for files a workflow reads with !include)
  filetypes = M.filetypes,
  -- Sent as initializationOptions and answered to workspace/configuration ("dig-lsp" section):
  -- profile ('digdag' | 'treasure-data'), select, ignore and ['plugin-operators'] (lists).
  settings = {},
  -- Force the pre-0.11 code path even on newer Neovim (used by the tests).
  legacy = false,
  on_attach = nil,
  capabilities = nil,
}

local options = vim.deepcopy(defaults)
local clients = {} -- legacy path: root directory -> client id

--- Whether vim.lsp.config / vim.lsp.enable are there (Neovim 0.11+).
function M.has_native_config()
  return vim.lsp.config ~= nil and vim.lsp.enable ~= nil and vim.fn.has('nvim-0.11') == 1
end

--- The directory holding one of the root markers above `path`, else the file's own directory
--- (a digdag project is the directory of its workflow files). Uses only 0.7-era functions.
function M.find_root(path)
  local dir = vim.fn.fnamemodify(path, ':p:h')
  for _, marker in ipairs(M.root_markers) do
    local found = vim.fn.findfile(marker, dir .. ';')
    if found == '' then
      found = vim.fn.finddir(marker, dir .. ';')
    end
    if found ~= '' then
      local root = vim.fn.fnamemodify(found, ':p:h'):gsub('/%.git/?$', '')
      return root
    end
  end
  return dir
end

local function server_settings()
  return { ['dig-lsp'] = options.settings }
end

-- The command of the server's "Dry run" code lens (`:lua vim.lsp.codelens.run()` on the workflow's first
-- line, or `:DigDryRun`).
M.dry_run_command = 'dig-lsp.server.dryRun'

local function request(client, method, params, handler, bufnr)
  if vim.fn.has('nvim-0.11') == 1 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

--- Ask the server for a dry run and show its text report in a scratch window below (the server also
--- opens the HTML timeline in the browser where Neovim can, and says how the session ended).
function M.show_dry_run(client, bufnr, arguments)
  local params = { command = M.dry_run_command, arguments = arguments }
  request(client, 'workspace/executeCommand', params, function(err, result)
    if err then
      vim.notify('dig-lsp dry run: ' .. (err.message or tostring(err)), vim.log.levels.ERROR)
      return
    end
    if type(result) ~= 'string' then
      vim.notify('dig-lsp: this buffer is no workflow of a project', vim.log.levels.WARN)
      return
    end
    vim.cmd('botright new')
    local out = vim.api.nvim_get_current_buf()
    vim.bo[out].buftype = 'nofile'
    vim.bo[out].bufhidden = 'wipe'
    vim.bo[out].swapfile = false
    vim.api.nvim_buf_set_lines(out, 0, -1, false, vim.split(result, '\n', { plain = true }))
    vim.bo[out].modifiable = false
    pcall(vim.api.nvim_buf_set_name, out, 'dig-lsp dry run')
  end, bufnr)
end

--- `:DigDryRun`: the dry run of the current buffer's workflow.
function M.dry_run(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  for _, client in ipairs(get({ bufnr = bufnr })) do
    if client.name == M.name then
      M.show_dry_run(client, bufnr, { vim.uri_from_bufnr(bufnr) })
      return
    end
  end
  vim.notify('dig-lsp is not running for this buffer', vim.log.levels.WARN)
end

--- The client configuration shared by both code paths.
function M.default_config()
  return {
    name = M.name,
    cmd = options.cmd,
    filetypes = options.filetypes,
    root_markers = M.root_markers,
    init_options = options.settings,
    settings = server_settings(),
    on_attach = options.on_attach,
    capabilities = options.capabilities,
    -- the code lens's command, run here so that its report is shown (Neovim drops the answer otherwise)
    commands = {
      [M.dry_run_command] = function(command, ctx)
        local client = vim.lsp.get_client_by_id(ctx.client_id)
        if client ~= nil then
          M.show_dry_run(client, ctx.bufnr, command.arguments)
        end
      end,
    },
  }
end

local function start_legacy(bufnr)
  local path = vim.api.nvim_buf_get_name(bufnr)
  if path == '' then
    return
  end
  local root = M.find_root(path)
  local id = clients[root]
  if id == nil or vim.lsp.get_client_by_id(id) == nil then
    local config = M.default_config()
    config.root_dir = root
    config.workspace_folders = { { uri = vim.uri_from_fname(root), name = root } }
    config.root_markers = nil
    config.filetypes = nil
    id = vim.lsp.start_client(config)
    if id == nil then
      vim.notify('dig-lsp: could not start ' .. table.concat(options.cmd, ' '), vim.log.levels.ERROR)
      return
    end
    clients[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
end

--- `*.dig` is digdag. ftdetect/digdag.vim does this when the package is on 'runtimepath' at
--- startup; setup() repeats it for a 'runtimepath' changed after filetype detection was loaded.
function M.detect_filetype()
  local group = vim.api.nvim_create_augroup('dig_lsp_filetype', { clear = true })
  vim.api.nvim_create_autocmd({ 'BufRead', 'BufNewFile' }, {
    group = group,
    pattern = '*.dig',
    callback = function(args)
      if vim.bo[args.buf].filetype ~= 'digdag' then
        vim.bo[args.buf].filetype = 'digdag'
      end
    end,
  })
end

--- Configure and enable the server for digdag buffers (idempotent: call it again to change options).
function M.setup(opts)
  options = vim.tbl_deep_extend('force', vim.deepcopy(defaults), opts or {})
  -- lists are replaced, not merged index by index (tbl_deep_extend would keep the defaults' tail)
  for _, key in ipairs({ 'cmd', 'filetypes' }) do
    if opts ~= nil and opts[key] ~= nil then
      options[key] = opts[key]
    end
  end
  M.detect_filetype()
  vim.api.nvim_create_user_command('DigDryRun', function()
    M.dry_run(0)
  end, { desc = 'dig-lsp: dry run of this workflow' })
  if M.has_native_config() and not options.legacy then
    local config = M.default_config()
    config.name = nil
    vim.lsp.config(M.name, config)
    vim.lsp.enable(M.name)
    return
  end
  local group = vim.api.nvim_create_augroup('dig_lsp', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = options.filetypes,
    callback = function(args)
      start_legacy(args.buf)
    end,
  })
  -- buffers that were already open when setup() ran
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(options.filetypes, vim.bo[bufnr].filetype) then
      start_legacy(bufnr)
    end
  end
end

return M
