"""v1 AKS web service settings to this stack's v2 `instanceTypes[]` and `endpoints[]`.

    python -m stacks.migrate_v1 FILE [--name NAME] [--compute NAME] [--model REF]
                                     [--instance-type NAME] [--into STACKFILE]

Reads a v1 AKS web service as `az ml model deploy --deploy-config-file` took it (the CLI's
camelCase entities such as `autoScaler.minReplicas`), as `AksWebservice.deploy_configuration`
took it (`autoscale_min_replicas`), or as `az ml service show` prints it (which adds the
service's name, compute and models), in JSON or YAML. It prints the equivalent settings as YAML
to paste under `config:`, with a comment for every mapping and its public source and for every
setting with no v2 equivalent; or, with --into, adds them to a stack file. The result is
validated with the stack's own models first. docs/migrate.md is the user documentation.

Modules: `keys` (every accepted key), `reading` (the bounded reader and the key and value
checks), `names` (endpoint, compute, model, instance type), `mapping` (v1 -> v2), `checks`
(the stack's models), `render` (the printed text), `merge`, `splice` and `stackfile` (--into),
`text` (escaping), `sources` (the public documents), `command` (the command line).
"""

from stacks.migrate_v1.command import main
from stacks.migrate_v1.mapping import migrate
from stacks.migrate_v1.names import Names, resolve
from stacks.migrate_v1.reading import V1, MigrationError, flatten, read_v1
from stacks.migrate_v1.result import Migration, Note

__all__ = [
    "V1",
    "Migration",
    "MigrationError",
    "Names",
    "Note",
    "flatten",
    "main",
    "migrate",
    "read_v1",
    "resolve",
]
