-- Driven by tests/test_neovim.py: wait for refactor's diagnostics on the current buffer, apply
-- the "Apply all safe and review fixes" code action, write the file and quit. Failures end
-- with :cquit and a message in $REFACTOR_NVIM_LOG.
local log = io.open(os.getenv("REFACTOR_NVIM_LOG"), "w")
local function fail(msg)
  log:write("FAIL " .. msg .. "\n")
  log:close()
  vim.cmd("cquit 1")
end

local buf = vim.api.nvim_get_current_buf()
if not vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 50) then
  fail("no diagnostics within 20 s (filetype " .. vim.bo.filetype .. ")")
end
local diagnostics = vim.diagnostic.get(buf)
for _, d in ipairs(diagnostics) do
  log:write("DIAGNOSTIC " .. tostring(d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)) .. " " .. d.lnum .. " " .. d.message .. "\n")
end

local params = {
  textDocument = vim.lsp.util.make_text_document_params(),
  range = { start = { line = 0, character = 0 }, ["end"] = { line = vim.api.nvim_buf_line_count(buf), character = 0 } },
  context = { diagnostics = {} },
}
local responses = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", params, 20000)
local chosen = nil
for _, response in pairs(responses or {}) do
  for _, action in ipairs(response.result or {}) do
    log:write("ACTION " .. (action.kind or "") .. " " .. action.title .. "\n")
    if action.kind == "source.fixAll.refactor.review" then
      chosen = action
    end
  end
end
if chosen == nil then
  fail("no 'Apply all safe and review fixes' action")
end
vim.lsp.util.apply_workspace_edit(chosen.edit, "utf-16")
vim.cmd("write")
log:write("WROTE\n")
log:close()
vim.cmd("qall!")
