"""Delivery-time statistics for a shipments CSV."""
import csv
from collections import defaultdict

from dateutil import parser as dateparser


def load(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def delivery_hours(row):
    shipped = dateparser.parse(row["shipped"])
    delivered = dateparser.parse(row["delivered"])
    return (delivered - shipped).total_seconds() / 3600


def summarize(rows):
    per_customer = defaultdict(list)
    for row in rows:
        per_customer[row["customer"]].append(delivery_hours(row))
    table = []
    for customer in sorted(per_customer):
        hours = per_customer[customer]
        table.append(
            [customer, len(hours), round(sum(hours) / len(hours), 1), round(max(hours), 1)]
        )
    return table
