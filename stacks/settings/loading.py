"""Loading from the Pulumi runtime: the only module of the settings that imports pulumi.

`load()` reads the stack's whole configuration once and validates all of it up front. Under
`pulumi up` an invalid stack is a `pulumi.RunError`, which Pulumi prints as a plain error with no
traceback.
"""

from __future__ import annotations

import os
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config

from catalog.tokens import PREVIEW_CONFIG_FILE_ENV
from stacks.settings import sites
from stacks.settings.errors import SettingsError
from stacks.settings.parsing import parse
from stacks.settings.stack import Settings

# Preflight tells the program which file its configuration came from, so errors can name it.
CONFIG_FILE_ENV = PREVIEW_CONFIG_FILE_ENV


class StackSettingsError(SettingsError, pulumi.RunError):
    """Invalid settings, raised so that Pulumi reports them without a traceback."""


def config_file() -> str:
    """The stack file the configuration came from, for error messages."""
    return os.environ.get(CONFIG_FILE_ENV) or f"stacks/Pulumi.{pulumi.get_stack()}.yaml"


def _raw_config() -> tuple[dict[str, Any], set[str]]:
    """All config values (key -> raw string) and the secret keys, as the runtime holds them."""
    values = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    secrets = {key for key in values if runtime_config.is_config_secret(key)}
    secrets |= set(runtime_config.get_config_secret_keys_env())
    return values, secrets


def load() -> Settings:
    """Read and validate the whole stack configuration; raise StackSettingsError on a problem.

    A fleet site's stack (`site-<name>`, listed by the fleet inventory) takes its settings from
    the inventory (stacks/settings/sites.py), its secrets from its own stack; messages then
    name the inventory and the site."""
    values, secrets = _raw_config()
    file = config_file()
    warnings: list[tuple[str, str]] = []
    try:
        values, file = sites.stack_values(pulumi.get_stack(), values, file)
        settings = parse(values, secrets, file, warnings=warnings)
    except SettingsError as err:
        raise StackSettingsError(err.file, err.errors) from None
    for path, message in warnings:
        pulumi.log.warn(f"{file}: {path}: {message}")
    return settings
