"""Cluster networking settings: the node subnet, the outbound path and API server access."""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import Field, field_validator, model_validator

from catalog import aks, arm
from stacks.settings.base import Model, cidr, resource_id


class VirtualNetwork(Model):
    """A new virtual network and node subnet for the cluster."""

    addressPrefix: str = Field("10.224.0.0/12", description="The VNet's address space.")
    subnetPrefix: str = Field("10.224.0.0/16", description="The node subnet, inside addressPrefix.")

    @model_validator(mode="after")
    def _prefixes(self) -> VirtualNetwork:
        vnet = cidr(self.addressPrefix, "addressPrefix")
        subnet = cidr(self.subnetPrefix, "subnetPrefix")
        if subnet.version != vnet.version or not subnet.subnet_of(vnet):  # type: ignore[arg-type]
            raise ValueError(f"subnetPrefix {subnet} is not inside addressPrefix {vnet}")
        return self


class NetworkSettings(Model):
    """Cluster networking: CNI plugin, node subnet (existing or new) and outbound path."""

    plugin: Literal["azure", "kubenet"] = Field("azure", description="AKS network plugin.")
    subnetId: str | None = Field(
        None, description="An existing subnet for the nodes.", examples=[arm.SUBNET.example]
    )
    vnet: VirtualNetwork | None = Field(None, description="A new VNet and subnet for the nodes.")
    outboundType: Literal["loadBalancer", "userDefinedRouting"] = Field(
        "loadBalancer",
        description="userDefinedRouting sends egress through a firewall (see egress).",
    )
    podCidr: str | None = Field(None, description="Pod address range (kubenet only).")
    serviceCidr: str = Field("10.0.0.0/16", description="Kubernetes service address range.")
    dnsServiceIP: str = Field("10.0.0.10", description="Cluster DNS address, in serviceCidr.")

    @model_validator(mode="after")
    def _shape(self) -> NetworkSettings:
        if self.subnetId and self.vnet:
            raise ValueError("set subnetId (an existing subnet) or vnet (a new one), not both")
        if self.subnetId:
            resource_id(self.subnetId, arm.SUBNET, "subnetId")
        # With a new vnet the route table comes with egress.firewall: create (stacks.settings.egress).
        if self.outboundType == "userDefinedRouting" and not (self.subnetId or self.vnet):
            raise ValueError(
                "outboundType userDefinedRouting needs subnetId (an existing subnet whose route "
                "table sends 0.0.0.0/0 to your firewall) or vnet with egress.firewall: create"
            )
        if self.podCidr and self.plugin != "kubenet":
            raise ValueError("podCidr applies to kubenet only; Azure CNI gives pods subnet IPs")
        service = cidr(self.serviceCidr, "serviceCidr")
        try:
            inside = ipaddress.ip_address(self.dnsServiceIP) in service
        except ValueError:
            inside = False
        if not inside:
            raise ValueError(
                f"dnsServiceIP {self.dnsServiceIP} must be inside serviceCidr {service}"
            )
        return self


class ApiServer(Model):
    """Who may reach the cluster's API server."""

    authorizedIpRanges: list[str] = Field(
        [],
        description="CIDRs allowed to reach the API server; the Azure ML control plane's ranges "
        "of the region and its pair are added. Empty: open API server.",
        examples=[["203.0.113.0/24"]],
    )
    azureMlControlPlaneRanges: dict[str, list[str]] = Field(
        {},
        description="Region -> CIDRs of the AzureMachineLearning.<region> service tag; replaces "
        "the catalog's ranges for that region (for prefixes newer than the catalog's).",
    )
    privateCluster: bool = Field(False, description="A private API server (no public endpoint).")

    @field_validator("authorizedIpRanges")
    @classmethod
    def _ranges(cls, value: list[str]) -> list[str]:
        for item in value:
            cidr(item, "authorizedIpRanges")
        if aks.NO_ACCESS_RANGE in value and len(value) > 1:
            raise ValueError(
                f"{aks.NO_ACCESS_RANGE} (no access except the AKS service) cannot be combined "
                "with other ranges"
            )
        return value

    @field_validator("azureMlControlPlaneRanges")
    @classmethod
    def _control_plane(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for ranges in value.values():
            for item in ranges:
                cidr(item, "azureMlControlPlaneRanges")
        return value

    @model_validator(mode="after")
    def _private(self) -> ApiServer:
        if self.privateCluster and self.authorizedIpRanges:
            raise ValueError(
                "authorized IP ranges do not apply to a private cluster: remove "
                "authorizedIpRanges or set privateCluster: false"
            )
        return self

    @property
    def restricted(self) -> bool:
        """Authorized ranges are on (and not the 'no access' range alone)."""
        return bool(self.authorizedIpRanges) and self.authorizedIpRanges != [aks.NO_ACCESS_RANGE]
