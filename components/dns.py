"""The DNS record for the router's sslCname: an A record pointing at azureml-fe's load balancer.

The docs leave this record to the user ("Update your DNS with an FQDN"): the IP is the external
IP of the `azureml-fe` Service in the `azureml` namespace, known only once the extension has
installed the router. So the Service is read through the cluster's Kubernetes provider after the
extension, and the record follows it. A public zone gets a DNS record set; a private zone (for an
internal load balancer) a private DNS record set.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as kubernetes_sdk
from pulumi_azure_native import dns as azure_dns
from pulumi_azure_native import privatedns

from catalog import hosts
from components.options import children_of
from stacks.settings.dns import Dns


class DnsRecord(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        settings: Dns,
        cname: str,
        provider: kubernetes_sdk.Provider,
        opts: pulumi.ResourceOptions | None = None,
    ):
        """cname: the extension's sslCname, inside the zone (checked in the settings).
        opts.depends_on: the extension, which creates the router's Service."""
        super().__init__("azureml-k8s:index:DnsRecord", name, None, opts)
        service = kubernetes_sdk.core.v1.Service.get(
            f"{name}-router",
            f"{hosts.ROUTER_SERVICE_NAMESPACE}/{hosts.ROUTER_SERVICE}",
            opts=children_of(self, opts, provider=provider),
        )
        address = service.status.apply(_load_balancer_ip)
        relative = settings.relative_name(cname)
        zone = settings.arm_id
        # The same record in either zone kind; only the zone's argument name differs.
        common: dict[str, Any] = dict(
            resource_group_name=zone.resource_group,
            record_type="A",
            relative_record_set_name=relative,
            ttl=settings.ttl,
            a_records=[{"ipv4_address": address}],
            opts=children_of(self, opts, depends_on=[service]),
        )
        record: privatedns.PrivateRecordSet | azure_dns.RecordSet
        if settings.private:
            record = privatedns.PrivateRecordSet(f"{name}-a", private_zone_name=zone.name, **common)
        else:
            record = azure_dns.RecordSet(f"{name}-a", zone_name=zone.name, **common)
        self.fqdn = pulumi.Output.from_input(cname)
        self.ip_address = address
        self.record_id = record.id
        self.register_outputs(
            {"fqdn": self.fqdn, "ipAddress": self.ip_address, "recordId": self.record_id}
        )


def _load_balancer_ip(status) -> str | None:
    """The Service's load balancer IP (status.loadBalancer.ingress[0].ip). Azure assigns it a
    little after the extension installs the router: on a deploy without it, stop with what to do
    rather than send Azure an A record without an address."""
    ingress = getattr(getattr(status, "load_balancer", None), "ingress", None) or []
    address = ingress[0].ip if ingress else None
    if address is None and not pulumi.runtime.is_dry_run():
        raise pulumi.RunError(
            f"the {hosts.ROUTER_SERVICE_NAMESPACE}/{hosts.ROUTER_SERVICE} Service has no load "
            "balancer IP yet (Azure assigns it shortly after the extension installs the router): "
            "run `pulumi up` again in a few minutes to create the DNS record"
        )
    return address


def instructions(cname: str | None) -> str | None:
    """Without `dns`: which record to create where (None when there is no sslCname)."""
    if not cname:
        return None
    return (
        f"create an A record {cname} -> the EXTERNAL-IP of Service "
        f"{hosts.ROUTER_SERVICE_NAMESPACE}/{hosts.ROUTER_SERVICE} (kubectl get svc "
        f"{hosts.ROUTER_SERVICE} -n {hosts.ROUTER_SERVICE_NAMESPACE}) in the DNS zone that holds "
        f"{cname.partition('.')[2]}, or set azureml-k8s:dns.zoneId to have the stack create it"
    )
