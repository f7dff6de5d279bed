from common import cli
from router.cli import main

cli.exit_with(main)
