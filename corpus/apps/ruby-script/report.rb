# frozen_string_literal: true

# Prints a per-region sales summary of data/orders.csv (or the file given as
# the first argument) as a table, then exits.

require "bundler/setup"
require "pastel"
require "tty-table"

require_relative "lib/sales_summary"

def money(amount)
  format("%.2f", amount)
end

path = ARGV.fetch(0, File.join(__dir__, "data", "orders.csv"))
abort "report: no such file #{path}" unless File.file?(path)

summary = SalesSummary.from_csv(path)
pastel = Pastel.new(enabled: $stdout.tty?)

table = TTY::Table.new(header: %w[Region Orders Units Revenue])
summary.rows.each do |row|
  table << [row.region, row.orders, row.units, money(row.revenue)]
end
total = summary.total
table << [pastel.bold(total.region), total.orders, total.units, pastel.bold(money(total.revenue))]

puts pastel.cyan("Sales by region (#{File.basename(path)})")
puts table.render(:unicode, alignments: %i[left right right right], padding: [0, 1])
