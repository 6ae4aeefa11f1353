# frozen_string_literal: true

require "bigdecimal"
require "csv"

# Reads order lines from a CSV file and totals them per region.
class SalesSummary
  Row = Struct.new(:region, :orders, :units, :revenue)

  def self.from_csv(path)
    new(CSV.read(path, headers: true))
  end

  def initialize(records)
    @records = records
  end

  def rows
    @rows ||= @records
              .group_by { |record| record.fetch("region") }
              .map { |region, records| summarise(region, records) }
              .sort_by { |row| -row.revenue }
  end

  def total
    Row.new("Total", rows.sum(&:orders), rows.sum(&:units), rows.sum(BigDecimal("0"), &:revenue))
  end

  private

  def summarise(region, records)
    units = records.sum { |r| Integer(r.fetch("quantity")) }
    revenue = records.sum(BigDecimal("0")) do |r|
      Integer(r.fetch("quantity")) * BigDecimal(r.fetch("unit_price"))
    end
    Row.new(region, records.size, units, revenue)
  end
end
