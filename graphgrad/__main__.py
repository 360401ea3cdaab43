"""``python -m graphgrad``: the same command line as the ``graphgrad`` script."""

import sys

from graphgrad.cli import main

if __name__ == "__main__":
    sys.exit(main())
