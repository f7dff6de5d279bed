"""1,000 resources, as a team's platform program might hold: per team a resource group, an
identity and a namespace of ConfigMaps on one cluster. Names are left to auto-naming where the
provider names them, so preflight does that work too."""

import pulumi
import pulumi_kubernetes as kubernetes
from pulumi_azure_native import managedidentity, resources

TEAMS = 40
CONFIG_MAPS_PER_TEAM = 22  # 40 x (group + identity + namespace + 22 ConfigMaps) = 1,000

cluster = kubernetes.Provider("cluster", kubeconfig="{}")
for team in range(TEAMS):
    group = resources.ResourceGroup(f"team{team}", location="westeurope", tags={"team": str(team)})
    managedidentity.UserAssignedIdentity(
        f"team{team}-id", resource_group_name=group.name, location="westeurope"
    )
    namespace = kubernetes.core.v1.Namespace(
        f"team{team}-ns",
        metadata={"name": f"team{team}"},
        opts=pulumi.ResourceOptions(provider=cluster),
    )
    for index in range(CONFIG_MAPS_PER_TEAM):
        kubernetes.core.v1.ConfigMap(
            f"team{team}-cm{index}",
            metadata={"name": f"settings-{index}", "namespace": namespace.metadata.name},
            data={"team": str(team), "index": str(index), "payload": "x" * 200},
            opts=pulumi.ResourceOptions(provider=cluster),
        )
