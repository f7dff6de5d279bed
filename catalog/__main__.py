"""python -m catalog facts [--format text|json]: every catalog fact with its source.

Exit codes: 0 when every fact has a source, 1 when one lacks it, 64 on a bad command line.
"""

from __future__ import annotations

import argparse
import sys

from catalog import facts

USAGE_ERROR = 64


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would exit 2, which means bad input here
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(USAGE_ERROR)


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="python -m catalog", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("facts", help="list every catalog fact with its source")
    listing.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    collected = facts.collect()
    sys.stdout.write(facts.render(collected, args.format))
    return 1 if any(not fact.source.strip() for fact in collected) else 0


if __name__ == "__main__":
    raise SystemExit(main())
