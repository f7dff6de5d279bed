"""The DNS record for the router's sslCname: an A record pointing at azureml-fe's load balancer.

The docs leave this record to the user ("Update your DNS with an FQDN"): the IP is the external
IP of the `azureml-fe` Service in the `azureml` namespace, known only once the extension has
installed the router. So the Service is read through the cluster's Kubernetes provider after the
extension, and the record follows it. Azure gives the Service its IP a few minutes after the
router exists: on a deploy the record waits for it (bounded by dns.waitMinutes, polling the
Service through the cluster's kubeconfig), so the first `pulumi up` completes; a preview never
waits and never calls out. A public zone gets a DNS record set; a private zone (for an internal
load balancer) a private DNS record set.
"""

from __future__ import annotations

import time
from collections.abc import Callable
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
        kubeconfig: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        """cname: the extension's sslCname, inside the zone (checked in the settings).
        kubeconfig: the cluster's (secret), to poll the Service while its IP is pending.
        opts.depends_on: the extension, which creates the router's Service."""
        super().__init__("azureml-k8s:index:DnsRecord", name, None, opts)
        service = kubernetes_sdk.core.v1.Service.get(
            f"{name}-router",
            f"{hosts.ROUTER_SERVICE_NAMESPACE}/{hosts.ROUTER_SERVICE}",
            opts=children_of(self, opts, provider=provider),
        )
        wait_s = settings.waitMinutes * 60
        # The IP is no secret, although the kubeconfig it may be polled with is.
        address = pulumi.Output.unsecret(
            pulumi.Output.all(service.status, kubeconfig).apply(
                lambda args: router_address(args[0], lambda: _poller(args[1]), wait_s)
            )
        )
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
    """The Service's load balancer IP (status.loadBalancer.ingress[0].ip), or None."""
    ingress = getattr(getattr(status, "load_balancer", None), "ingress", None) or []
    return getattr(ingress[0], "ip", None) if ingress else None


# How often the Service is read again while its IP is pending.
POLL_INTERVAL_S = 10


def router_address(
    status,
    poller: Callable[[], Callable[[], str | None]],
    wait_s: float,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> str | None:
    """The router's IP: from the Service as read, else (on a deploy only) from polling it every
    POLL_INTERVAL_S until wait_s has passed; then a clear stop, never an A record without an
    address. At preview: None (the record's address is unknown until deploy)."""
    address = _load_balancer_ip(status)
    if address is not None or pulumi.runtime.is_dry_run():
        return address
    read = poller()
    deadline = clock() + wait_s
    while True:
        address = read()
        if address is not None:
            return address
        if clock() >= deadline:
            break
        sleep(min(POLL_INTERVAL_S, max(deadline - clock(), 0)))
    raise pulumi.RunError(
        f"the {hosts.ROUTER_SERVICE_NAMESPACE}/{hosts.ROUTER_SERVICE} Service has no load "
        f"balancer IP after {wait_s / 60:g} minutes: check `kubectl get svc {hosts.ROUTER_SERVICE} "
        f"-n {hosts.ROUTER_SERVICE_NAMESPACE}` (its events say why Azure has not assigned one, e.g. "
        "a subnet without free addresses or a quota), or raise dns.waitMinutes"
    )


def _poller(kubeconfig: str) -> Callable[[], str | None]:
    """A reader of the Service's IP through the Kubernetes API (the official client, which runs
    the kubeconfig's exec plugin such as kubelogin); imported only on a deploy that needs it."""
    import yaml
    from kubernetes import client, config

    api = client.CoreV1Api(config.new_client_from_config_dict(yaml.safe_load(kubeconfig)))

    def read() -> str | None:
        try:
            service = api.read_namespaced_service(
                hosts.ROUTER_SERVICE, hosts.ROUTER_SERVICE_NAMESPACE
            )
        except client.ApiException as err:
            if err.status == 404:  # not (re)created yet by the extension: keep waiting
                return None
            raise
        return _load_balancer_ip(service.status)

    return read


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
