from common import cli
from preflight.cli import main

cli.exit_with(main)
