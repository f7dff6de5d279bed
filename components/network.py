"""The cluster's network: the node subnet, new or existing.

A new virtual network gets one subnet for the nodes; an existing subnet is used as it is.
"""

from __future__ import annotations

import pulumi
from pulumi_azure_native import network

from components.options import children_of
from stacks.settings import Network as NetworkSettings


class Network(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        settings: NetworkSettings,
        *,
        cluster_name: str,
        region: str,
        resource_group_name: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("azureml-k8s:index:Network", name, None, opts)
        subnet_id: pulumi.Input[str] | None = settings.subnetId
        if settings.vnet is not None:
            vnet = network.VirtualNetwork(
                f"{name}-vnet",
                resource_group_name=resource_group_name,
                virtual_network_name=f"{cluster_name}-vnet",
                location=region,
                address_space={"address_prefixes": [settings.vnet.addressPrefix]},
                opts=children_of(self, opts),
            )
            subnet = network.Subnet(
                f"{name}-subnet",
                resource_group_name=resource_group_name,
                virtual_network_name=vnet.name,
                subnet_name="nodes",
                address_prefix=settings.vnet.subnetPrefix,
                opts=children_of(self, opts),
            )
            subnet_id = subnet.id
        # None: AKS makes its own network for the nodes.
        self.subnet_id = pulumi.Output.from_input(subnet_id)
        self.register_outputs({"subnetId": self.subnet_id})
