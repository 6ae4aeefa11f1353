import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from report import delivery_hours, summarize  # noqa: E402


def test_delivery_hours_mixed_formats():
    assert delivery_hours({"shipped": "2024-01-04", "delivered": "2024-01-09"}) == 120
    assert delivery_hours({"shipped": "Jan 6 2024 8:30AM", "delivered": "Jan 6 2024 4:45PM"}) == 8.25


def test_summarize_groups_by_customer():
    rows = [
        {"customer": "B", "shipped": "2024-01-01", "delivered": "2024-01-02"},
        {"customer": "A", "shipped": "2024-01-01", "delivered": "2024-01-03"},
        {"customer": "B", "shipped": "2024-01-01", "delivered": "2024-01-04"},
    ]
    assert summarize(rows) == [["A", 1, 48.0, 48.0], ["B", 2, 48.0, 72.0]]
