import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import app  # noqa: E402


def test_health():
    assert app.health() == "ok"


def test_shorten_is_stable():
    assert app.shorten("https://example.com") == app.shorten("https://example.com")
    assert len(app.shorten("https://example.com")) == 8
