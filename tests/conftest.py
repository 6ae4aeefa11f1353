import sys
from pathlib import Path

# tests import the judge helpers as a plain module
sys.path.insert(0, str(Path(__file__).resolve().parent))
