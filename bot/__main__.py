"""`symposium-bot` / `python -m bot`: the command line lives in `bot/cli/`."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from bot import cli


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv)


if __name__ == "__main__":
    sys.exit(main())
