"""`python -m refactor` is the `refactor` command."""

import sys

from .cli import main

sys.exit(main())
