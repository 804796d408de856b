"""Allow ``python -m reportlib``."""
import sys

from reportlib.cli import main

sys.exit(main())
