-- refactor's language server for Dockerfiles in Neovim 0.7 or newer (no plugin needed).
-- Put this file in ~/.config/nvim/lua/refactor_lsp.lua and add `require("refactor_lsp")` to
-- init.lua, or source it directly. It needs `refactor lsp` on PATH:
--   pip install 'dockerfile-refactor[lsp]'
-- Diagnostics appear as you type; code actions (`:lua vim.lsp.buf.code_action()`) offer a quick
-- fix per change and "Apply all safe and review fixes"; `:lua vim.lsp.buf.formatting()` applies
-- safe fixes only (set init_options.formatLevel = "review" to format with review fixes too).
local client_id = nil

local function start()
  if client_id == nil or vim.lsp.get_client_by_id(client_id) == nil then
    client_id = vim.lsp.start_client({
      name = "refactor",
      cmd = { "refactor", "lsp" },
      root_dir = vim.fn.getcwd(),
      init_options = { formatLevel = "safe" },
    })
  end
  return client_id
end

vim.api.nvim_create_autocmd("FileType", {
  pattern = "dockerfile",
  callback = function(args)
    local id = start()
    if id then
      vim.lsp.buf_attach_client(args.buf, id)
    end
  end,
})
