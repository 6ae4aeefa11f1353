"""Rules of this area, one module each."""
