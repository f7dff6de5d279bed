"""Azure resource names: each resource type's rule (length, characters, pattern), and one way to
make a generated name fit its rule, deterministically.

Names the stack gives are checked against these rules up front; names the program makes from
them (`<cluster>-logs`, `azureml-<cluster>-<why>`) go through `fit`, which returns the name as
is when it is valid and otherwise a shortened, cleaned one with a digest of the original, so the
same stack always gets the same name and two stacks do not collide.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

DIGEST_LENGTH = 8


@dataclass(frozen=True)
class NameRule:
    """What ARM accepts as the name of one resource type."""

    label: str  # what people call the resource, for messages
    min_length: int
    max_length: int
    pattern: re.Pattern[str]  # the whole name (length is checked separately)
    characters: str  # a regex character class body: what `fit` keeps
    text: str  # the rule in words, for messages

    def problem(self, name: str) -> str | None:
        """Why `name` is not a valid name for this resource, or None."""
        article = "an" if self.label[0].lower() in "aeiou" else "a"
        start = f"'{name}' is not {article} {self.label} name"
        if not self.min_length <= len(name) <= self.max_length:
            return f"{start} ({len(name)} characters): {self.text}"
        if not self.pattern.fullmatch(name):
            return f"{start}: {self.text}"
        return None

    def valid(self, name: str) -> bool:
        return self.problem(name) is None


def _rule(label: str, low: int, high: int, pattern: str, characters: str, text: str) -> NameRule:
    return NameRule(label, low, high, re.compile(pattern), characters, f"{low}-{high} {text}")


# Microsoft.Network names (firewalls, firewall policies and their groups, route tables, public
# IPs, subnets): alphanumerics, underscores, periods and hyphens; start alphanumeric; end
# alphanumeric or underscore.
_NETWORK_PATTERN = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?"
_NETWORK_TEXT = (
    "characters: letters, digits, '_', '.' or '-', starting with a letter or digit and ending "
    "with a letter, digit or '_'"
)
NETWORK_RESOURCE = _rule("network resource", 1, 80, _NETWORK_PATTERN, "A-Za-z0-9._-", _NETWORK_TEXT)
VIRTUAL_NETWORK = _rule("virtual network", 2, 64, _NETWORK_PATTERN, "A-Za-z0-9._-", _NETWORK_TEXT)
LOG_ANALYTICS_WORKSPACE = _rule(
    "Log Analytics workspace",
    4,
    63,
    r"[A-Za-z0-9][A-Za-z0-9-]+[A-Za-z0-9]",
    "A-Za-z0-9-",
    "characters: letters, digits or '-', starting and ending with a letter or digit",
)
RESOURCE_GROUP = _rule(
    "resource group",
    1,
    90,
    r"[-\w.()]*[-\w()]",
    r"\w().-",
    "characters: letters, digits, '_', '-', '.', '(' or ')', not ending with '.'",
)
# A Kubernetes compute attach: the strictest of ARM's pattern (3-24, a letter first, never
# '-<digits>' at the end) and Learn's 2-16 for compute types other than compute instances and
# clusters, ending with a letter or digit as the service's own error message says. (Called
# "compute" in messages, as the stack's computes[] are.)
KUBERNETES_COMPUTE = _rule(
    "compute",
    3,
    16,
    r"[A-Za-z](?![A-Za-z0-9-]*-\d+$)[A-Za-z0-9-]*[A-Za-z0-9]",
    "A-Za-z0-9-",
    "characters: letters, digits or '-', starting with a letter, ending with a letter or digit "
    "and not ending in '-<digits>' (k8s-team-1 is refused, k8s-team1 is fine)",
)
ONLINE_ENDPOINT = _rule(
    "online endpoint",
    3,
    32,
    r"[A-Za-z](?:[-A-Za-z0-9]*[A-Za-z0-9])?",
    "A-Za-z0-9-",
    "characters: letters, digits or '-', starting with a letter and not ending with '-'",
)
ONLINE_DEPLOYMENT = _rule(
    "online deployment",
    3,
    32,
    ONLINE_ENDPOINT.pattern.pattern,
    "A-Za-z0-9-",
    "characters: letters, digits or '-', starting with a letter and not ending with '-'",
)
# On a Kubernetes compute the endpoint's name and each deployment's together.
KUBERNETES_ENDPOINT_AND_DEPLOYMENT_MAX = 62
TRUSTED_ACCESS_BINDING = _rule(
    "Trusted Access role binding",
    1,
    24,
    r"[A-Za-z0-9-]+",
    "A-Za-z0-9-",
    "characters: letters, digits or '-'",
)

RULES: tuple[NameRule, ...] = (
    NETWORK_RESOURCE,
    VIRTUAL_NETWORK,
    LOG_ANALYTICS_WORKSPACE,
    RESOURCE_GROUP,
    KUBERNETES_COMPUTE,
    ONLINE_ENDPOINT,
    ONLINE_DEPLOYMENT,
    TRUSTED_ACCESS_BINDING,
)


def fit(rule: NameRule, stem: str, suffix: str = "") -> str:
    """`stem + suffix` when the rule accepts it; otherwise the stem cleaned of characters the rule
    does not allow, cut so that '-<digest>' and the suffix fit, where the digest is of the
    original name. The suffix (`-logs`, `-egress`) is the program's own and always valid."""
    name = stem + suffix
    if rule.valid(name):
        return name
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:DIGEST_LENGTH]
    room = rule.max_length - len(suffix) - len(digest) - 1
    cleaned = re.sub(f"[^{rule.characters}]", "-", stem)[: max(room, 0)]
    cleaned = re.sub(r"^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "", cleaned)
    fitted = f"{cleaned}-{digest}{suffix}" if cleaned else f"{digest}{suffix}"
    if not rule.valid(fitted):  # a suffix the rule cannot take: the program's own bug
        raise ValueError(f"cannot fit {name!r} to the {rule.label} rule: {rule.problem(fitted)}")
    return fitted


_RNR = (
    "Learn 'Naming rules and restrictions for Azure resources', "
    "https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules"
)
_SPECS = "Azure/azure-rest-api-specs (as generated into Azure/bicep-types-az)"
SOURCES: dict[str, str] = {
    "DIGEST_LENGTH": "project rule: 8 hex digits of SHA-256 keep shortened names apart",
    "NETWORK_RESOURCE": (
        f"{_RNR}: Microsoft.Network azureFirewalls, firewallPolicies, routeTables, "
        "publicIPAddresses, virtualNetworks/subnets 1-80, 'Alphanumerics, underscores, periods, "
        "and hyphens. Start with alphanumeric. End alphanumeric or underscore.' (unconfirmed for "
        "firewallPolicies/ruleCollectionGroups: the page lists ruleGroups with the same rule)"
    ),
    "VIRTUAL_NETWORK": f"{_RNR}: Microsoft.Network/virtualNetworks 2-64, the same characters",
    "LOG_ANALYTICS_WORKSPACE": (
        f"{_RNR}: Microsoft.OperationalInsights/workspaces 4-63, 'Alphanumerics and hyphens. "
        f"Start and end with alphanumeric.'; {_SPECS} operationalinsights 2026-03-01: "
        "^[A-Za-z0-9][A-Za-z0-9-]+[A-Za-z0-9]$"
    ),
    "RESOURCE_GROUP": (
        f"{_RNR}: resourceGroups 1-90, 'Underscores, hyphens, periods, parentheses, and letters "
        f"or digits ... Can't end with period.'; {_SPECS} resources 2025-04-01: ^[-\\w\\._\\(\\)]+$"
    ),
    "KUBERNETES_COMPUTE": (
        f"{_SPECS} machinelearningservices 2026-05-01 workspaces/computes name: "
        "^[a-zA-Z](?![a-zA-Z0-9-]*-\\d+$)[a-zA-Z0-9\\-]{2,23}$; "
        f"{_RNR}: workspaces/computes '2-16 for other compute types'; the service's error for an "
        "attach: 'must start with a letter, end with a letter or digit, and be between 2 and 16 "
        "characters' (MicrosoftDocs/azure-docs issue 55961)"
    ),
    "ONLINE_ENDPOINT": (
        "Learn 'Manage and increase quotas and limits for resources with Azure Machine "
        "Learning', https://learn.microsoft.com/azure/machine-learning/how-to-manage-quotas: "
        "endpoint names begin with a letter, 3-32 characters, letters and numbers, single "
        "dashes accepted; azure-ai-ml EndpointConfigurations.NAME_REGEX_PATTERN "
        "^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$"
    ),
    "ONLINE_DEPLOYMENT": "as ONLINE_ENDPOINT (the same row for deployment names)",
    "KUBERNETES_ENDPOINT_AND_DEPLOYMENT_MAX": (
        "Learn 'Manage and increase quotas and limits for resources with Azure Machine "
        "Learning': 'For Kubernetes endpoint, the endpoint name plus deployment name must be "
        "6-62 characters in total length'"
    ),
    "TRUSTED_ACCESS_BINDING": (
        f"{_SPECS} containerservice 2024-05-01 and 2026-05-01 trustedAccessRoleBindings name: "
        "minLength 1, maxLength 24, ^([A-Za-z0-9-])+$"
    ),
    "RULES": "the rules above",
    "fit": "project rule: a generated name that breaks its rule is cleaned and cut, with DIGEST",
}
