"""python -m catalog facts [--format text|json]: every catalog fact with its source.

Exit codes: 0 when every fact has a source, 1 when one lacks it, 64 on a bad command line.
"""

from __future__ import annotations

from catalog import facts
from common import cli


def main(argv: list[str] | None = None) -> int:
    parser = cli.Parser(prog="python -m catalog", description=__doc__.splitlines()[0])
    commands = cli.subcommands(parser, dest="command")
    listing = commands.add_parser("facts", help="list every catalog fact with its source")
    listing.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    collected = facts.collect()
    cli.write(facts.render(collected, args.format))
    return 1 if any(not fact.source.strip() for fact in collected) else 0


if __name__ == "__main__":
    cli.exit_with(main)
