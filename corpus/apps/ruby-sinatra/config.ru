# frozen_string_literal: true

require_relative "app"

$stdout.sync = true

run BookmarksApp
