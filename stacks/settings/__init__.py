"""Stack settings: the only reader of pulumi.Config.

`load()` reads the stack's configuration once, validates all of it up front and returns frozen
models; components take those models and never see raw config. The same models validate any
stack YAML file under preflight. Every default is the secure choice. Errors name the stack file
and the key path and suggest the nearest valid key for a misspelt one.

Modules: `base` (shared model and value checks), one module of models per concern (`cluster`,
`network`, `extension`, `workspace`), `stack` (the whole stack and derived facts), `rules` (cross-field
rules), `errors` (reporting), `pem` (PEM files), `parsing` (raw config to models), `loading`
(the Pulumi runtime), `schema` (JSON Schema and docs generated from the models).
"""

from stacks.settings.cluster import (
    AksClusterSettings,
    ArcClusterSettings,
    Identity,
    Monitoring,
    NodePool,
)
from stacks.settings.errors import SettingsError
from stacks.settings.extension import ExtensionSettings
from stacks.settings.loading import CONFIG_FILE_ENV, StackSettingsError, config_file, load
from stacks.settings.manifests import Manifest
from stacks.settings.network import ApiServer, NetworkSettings, VirtualNetwork
from stacks.settings.parsing import parse
from stacks.settings.stack import PROJECT, Settings
from stacks.settings.workspace import ComputeSettings, NamedWorkspace, Workspace

__all__ = [
    "CONFIG_FILE_ENV",
    "PROJECT",
    "AksClusterSettings",
    "ApiServer",
    "ArcClusterSettings",
    "ComputeSettings",
    "ExtensionSettings",
    "Identity",
    "Manifest",
    "Monitoring",
    "NetworkSettings",
    "NodePool",
    "Settings",
    "SettingsError",
    "StackSettingsError",
    "VirtualNetwork",
    "NamedWorkspace",
    "Workspace",
    "config_file",
    "load",
    "parse",
]
