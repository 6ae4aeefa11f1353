-- refactor as a Neovim formatter, through conform.nvim (https://github.com/stevearc/conform.nvim).
-- Saving a Dockerfile applies refactor's safe fixes only: the image stays the same, the file is
-- never restructured. Merge these keys into your own require("conform").setup({ ... }) call.
require("conform").setup({
  formatters_by_ft = {
    dockerfile = { "refactor" },
  },
  formatters = {
    refactor = {
      command = "refactor",
      -- the buffer goes in on stdin, the whole new file comes out on stdout; $FILENAME is the
      -- buffer's path, from which refactor finds its configuration and the build context
      args = { "-", "--safe-only", "-q", "--stdin-filename", "$FILENAME" },
      stdin = true,
    },
  },
  -- a cold start takes about 0.2 s; leave room on a slow machine
  format_on_save = { timeout_ms = 2000 },
})
