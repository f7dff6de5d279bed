"""Fleet inventories: many sites in one file, each site one stack named `site-<name>`.

YAML (docs/fleet.md): `template` (any stack settings, as under a stack file's `config:`),
`waves` (optional: the rollout order, the canary first; default: as the sites first name them),
`quotas` (optional: raised Azure ML quotas) and `sites`: a list of {name, wave, config}, or the
name of a CSV file beside the inventory. CSV: one row per site, columns `name`, `wave` and dotted
key paths (`azureml-k8s:cluster.nodeCount`), each cell a YAML scalar or flow value, an empty cell
inheriting the template. A site's settings are the template's with its own deep-merged over them
(mappings merge, anything else replaces, null removes). Nothing secret goes into an inventory:
the keys a stack keeps secret stay in the site's own stack (`pulumi config set --secret -s`).

A site as its stack runs it (the inventory found, the site's stack merged in) is
stacks/settings/sites.py's. Files are read by the project's bounded reader (common.files).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog import quotas as azureml_quotas
from catalog.tokens import FLEET_STACK_PREFIX
from common import files
from common.config import has_secure
from stacks.settings.errors import InventoryError
from stacks.settings.inventory_csv import MAX_INVENTORY_BYTES, csv_file, csv_sites
from stacks.settings.stack import PROJECT, secret_keys

STACK_PREFIX = FLEET_STACK_PREFIX
CANARY = "canary"
_TOP_KEYS = ("template", "waves", "quotas", "sites")
# The per-subscription, per-region quotas fleet check sums over the sites; raised ones are set
# under `quotas:` (a support request raises them).
QUOTA_KEYS = {
    "endpointsPerSubscriptionRegion": azureml_quotas.ENDPOINTS_PER_SUBSCRIPTION_REGION,
    "deploymentsPerSubscriptionRegion": azureml_quotas.DEPLOYMENTS_PER_SUBSCRIPTION_REGION,
}
_SITE_KEYS = ("name", "wave", "config")
# pulumi's stack name rule (letters, digits, '_', '.', '-'; at most 100) less the prefix.
_NAME = re.compile(r"\A[A-Za-z0-9_.-]{1,95}\Z")
Problem = tuple[str, str]  # (where in the inventory, message)


@dataclass(frozen=True)
class Site:
    name: str
    wave: str
    where: str  # "sites[3]" or "line 12", for messages
    config: dict[str, Any]  # full keys ("azureml-k8s:cluster"), the template merged in
    problems: list[Problem] = field(default_factory=list)

    @property
    def stack(self) -> str:
        return STACK_PREFIX + self.name


@dataclass(frozen=True)
class Inventory:
    file: str  # as shown in messages
    sites: list[Site]
    waves: list[str]  # in rollout order, the canary first
    quotas: dict[str, int]  # QUOTA_KEYS, defaults applied: raised Azure ML quotas
    problems: list[Problem] = field(default_factory=list)  # the inventory's own, not a site's

    def label(self, site: Site) -> str:
        """What messages about a site's settings name: the file, the site and where it is."""
        return f"{self.file}: site {site.name} ({site.where})"

    def site_for_stack(self, stack: str) -> Site | None:
        return next((s for s in self.sites if s.stack == stack), None)


_LOADED: dict[tuple[str, str, int, int], Inventory] = {}


def cached(path: str | Path, shown: str) -> Inventory:
    """`load`, once per file as it is on disk: `fleet check` loads the inventory in its runner
    server, so each site's run (a child forked from it) finds it loaded."""
    try:
        stat = os.stat(path)
    except OSError:
        return load(path, shown)
    key = (str(Path(path).resolve()), shown, stat.st_mtime_ns, stat.st_size)
    if key not in _LOADED:
        _LOADED[key] = load(path, shown)
    return _LOADED[key]


def load(path: str | Path, shown: str | None = None) -> Inventory:
    """Read an inventory (YAML, or CSV by its suffix); InventoryError when it cannot be used."""
    shown = str(path) if shown is None else shown
    try:
        text = files.read_text(path, shown, MAX_INVENTORY_BYTES)
        if str(path).lower().endswith(".csv"):
            return _inventory(shown, {}, None, None, csv_sites(text, shown), [])
        data = files.parse_yaml(text, shown)
    except files.InputFileError as err:
        raise InventoryError(err.file, [(err.where, err.message)]) from None
    if not isinstance(data, dict):
        raise InventoryError(shown, [("file", "an inventory is a mapping with a `sites:` key")])
    fatal = [(str(k), _unknown(str(k), _TOP_KEYS)) for k in data if k not in _TOP_KEYS]
    template, problems = _config(data.get("template") or {}, "template")
    given = data.get("sites")
    raw_sites: list[Any] = []
    if isinstance(given, str) and given:
        raw_sites = csv_file(Path(path).parent / given, str(Path(shown).parent / given))
    elif isinstance(given, list) and given:
        raw_sites = given
    else:
        fatal.append(("sites", "a list of sites ({name, wave, config}), or a CSV file's name"))
    if fatal:
        raise InventoryError(shown, fatal)
    return _inventory(shown, template, data.get("waves"), data.get("quotas"), raw_sites, problems)


def _unknown(key: str, valid: tuple[str, ...]) -> str:
    return f"unknown key '{key}'; valid keys: {', '.join(valid)}"


def _quotas(raw: Any) -> tuple[dict[str, int], list[Problem]]:
    if raw is None:
        return dict(QUOTA_KEYS), []
    if not isinstance(raw, dict):
        return dict(QUOTA_KEYS), [("quotas", f"a mapping of {', '.join(QUOTA_KEYS)}")]
    problems = [
        (f"quotas.{k}", _unknown(str(k), tuple(QUOTA_KEYS))) for k in raw if k not in QUOTA_KEYS
    ]
    given = {k: v for k, v in raw.items() if k in QUOTA_KEYS}
    for key, value in given.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1_000_000:
            problems.append(
                (f"quotas.{key}", "a whole number from 1 to 1000000 (the raised quota)")
            )
    return {**QUOTA_KEYS, **{k: v for k, v in given.items() if isinstance(v, int)}}, problems


def _inventory(
    shown: str, template: dict, waves: Any, quotas: Any, raw_sites: list, problems: list[Problem]
) -> Inventory:
    sites = []
    for i, item in enumerate(raw_sites):
        where, raw = item if isinstance(item, tuple) else (f"sites[{i}]", item)
        sites.append(_site(raw, where, template))
    _unique(sites)
    order, wave_problems = _waves(waves, sites)
    limits, quota_problems = _quotas(quotas)
    return Inventory(shown, sites, order, limits, problems + wave_problems + quota_problems)


def _at(where: str, key: str) -> str:
    """A key of a site: sites[3].name in YAML, line 12: name in CSV."""
    return f"{where}: {key}" if where.startswith("line ") else f"{where}.{key}"


def _site(raw: Any, where: str, template: dict[str, Any]) -> Site:
    if not isinstance(raw, dict):
        return Site("", "", where, {}, [(where, "a site is a mapping: {name, wave, config}")])
    problems = [(_at(where, k), _unknown(str(k), _SITE_KEYS)) for k in raw if k not in _SITE_KEYS]
    name, wave = raw.get("name"), raw.get("wave")
    if not isinstance(name, str) or not _NAME.match(name):
        problems.append(
            (
                _at(where, "name"),
                "required: 1 to 95 letters, digits, '_', '.' or '-' (the stack is site-<name>)",
            )
        )
        name = str(name or "")
    if not isinstance(wave, str) or not _NAME.match(wave):
        problems.append(
            (
                _at(where, "wave"),
                f"required: the wave it rolls out in ({CANARY} first), 1 to 95 letters, digits, "
                "'_', '.' or '-'",
            )
        )
        wave = ""  # a wave name reaches CI's outputs: only a valid one is ever used
    own, config_problems = _config(raw.get("config") or {}, _at(where, "config"))
    return Site(name, wave, where, merge(template, own), problems + config_problems)


def _config(raw: Any, where: str) -> tuple[dict[str, Any], list[Problem]]:
    """Config with full keys ("cluster" is the project's), and what is refused in it."""
    if not isinstance(raw, dict):
        return {}, [(where, "a mapping of stack settings, as under a stack file's `config:`")]
    config: dict[str, Any] = {}
    problems: list[Problem] = []
    secret = secret_keys()
    for key, value in raw.items():
        full = str(key) if ":" in str(key) else f"{PROJECT}:{key}"
        namespace, _, short = full.partition(":")
        if full in config:
            problems.append((f"{where}.{key}", f"{full} is set twice"))
        elif namespace == PROJECT and short in secret:
            problems.append(
                (
                    f"{where}.{key}",
                    "secret: an inventory is plain text in git, so it never holds one; set it on "
                    f"each site's stack: pulumi config set --secret {full} -s site-<name> < file",
                )
            )
        elif has_secure(value):
            problems.append(
                (
                    f"{where}.{key}",
                    "a secure value belongs in the site's own stack (pulumi config set --secret), "
                    "not in an inventory",
                )
            )
        config[full] = value
    return config, problems


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """`over` deep-merged over `base`: mappings merge, other values replace, None removes."""
    merged = dict(base)
    for key, value in over.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _unique(sites: list[Site]) -> None:
    """Site names are unique, and so are their stacks in any case (a backend on a case-insensitive
    file system or blob store cannot tell site-A from site-a): later sites are at fault."""
    names: dict[str, Site] = {}
    stacks: dict[str, Site] = {}
    for site in sites:
        if not site.name:
            continue
        same_name, same_stack = names.get(site.name), stacks.get(site.stack.lower())
        if same_name is not None:
            site.problems.append(
                (_at(site.where, "name"), f"'{site.name}' is {same_name.where} too")
            )
        elif same_stack is not None:
            site.problems.append(
                (
                    _at(site.where, "name"),
                    f"stack {site.stack} differs from {same_stack.where}'s {same_stack.stack} "
                    "only in case",
                )
            )
        names.setdefault(site.name, site)
        stacks.setdefault(site.stack.lower(), site)


def _waves(declared: Any, sites: list[Site]) -> tuple[list[str], list[Problem]]:
    """The waves in rollout order, the canary first; a site's unknown wave is its problem."""
    problems: list[Problem] = []
    if declared is None:
        order = list(dict.fromkeys(s.wave for s in sites if s.wave))
        where = "waves (in the order the sites first name them)"
    elif not isinstance(declared, list) or not all(
        isinstance(w, str) and _NAME.match(w) for w in declared
    ):
        return [], [
            ("waves", "a list of wave names (letters, digits, '_', '.' or '-'), the canary first")
        ]
    else:
        order, where = list(dict.fromkeys(declared)), "waves"
        problems += [("waves", f"'{w}' is listed twice") for w in order if declared.count(w) > 1]
        for site in sites:
            if site.wave and site.wave not in order:
                site.problems.append((_at(site.where, "wave"), f"'{site.wave}' is not in waves"))
    if order and order[0] != CANARY:
        problems.append((where, f"the first wave is '{CANARY}', to find a bad change early"))
    if not any(s.wave == CANARY for s in sites):
        problems.append((where, f"no site is in wave '{CANARY}'"))
    return order, problems
