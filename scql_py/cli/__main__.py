"""``python -m scql_py.cli`` runs the ``scql`` command."""

from __future__ import annotations

import sys

from scql_py.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
