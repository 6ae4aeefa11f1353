"""Data that changes with time (current releases, image families), dated."""
