"""`azureml-k8s:dns`: the A record for the router's sslCname, in a public or private zone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field, field_validator

from catalog import arm
from stacks.settings.base import HOSTNAME, Model, resource_id
from stacks.settings.errors import Problem

if TYPE_CHECKING:
    from stacks.settings.stack import Settings


class Dns(Model):
    """The A record for extension.sslCname, pointing at the router's load balancer IP."""

    zoneId: str = Field(
        description="The DNS zone that holds sslCname: a public zone (dnszones) or, for an "
        "internal load balancer, a private one (privateDnsZones).",
        examples=[arm.DNS_ZONE.example, arm.PRIVATE_DNS_ZONE.example],
    )
    ttl: int = Field(300, ge=1, le=2147483647, description="The record's TTL in seconds.")
    waitMinutes: int = Field(
        10,
        ge=1,
        le=60,
        description="On a deploy, how long to wait for Azure to give azureml-fe's Service its "
        "load balancer IP before the record can be made (it comes a few minutes after the "
        "extension installs the router); only then is it an error.",
    )

    @field_validator("zoneId")
    @classmethod
    def _zone(cls, value: str) -> str:
        kind, zone = arm.DNS_ZONE, arm.parse(value, arm.DNS_ZONE)
        if zone is None:
            kind, zone = arm.PRIVATE_DNS_ZONE, arm.parse(value, arm.PRIVATE_DNS_ZONE)
        if zone is None:
            raise ValueError(
                f"must be a DNS zone id ({arm.DNS_ZONE.example}) or a private DNS zone id "
                f"({arm.PRIVATE_DNS_ZONE.example})"
            )
        resource_id(value, kind, "zoneId")
        if not HOSTNAME.fullmatch(zone.name.rstrip(".")):
            raise ValueError(
                "the zone name in the id is not a DNS name (ASCII letters, digits, '-' and "
                "dots, e.g. ml.contoso.com)"
            )
        return value

    @property
    def private(self) -> bool:
        return arm.parse(self.zoneId, arm.PRIVATE_DNS_ZONE) is not None

    @property
    def arm_id(self) -> arm.ResourceId:
        parsed = arm.parse(self.zoneId, arm.PRIVATE_DNS_ZONE if self.private else arm.DNS_ZONE)
        assert parsed is not None  # checked in _zone
        return parsed

    @property
    def zone(self) -> str:
        return self.arm_id.name.lower().rstrip(".")

    def relative_name(self, cname: str) -> str | None:
        """The record's name inside the zone ('@' at the apex), None when cname is outside it."""
        host = cname.lower().rstrip(".")
        if host == self.zone:
            return "@"
        if host.endswith("." + self.zone):
            return host[: -len(self.zone) - 1]
        return None


def dns_problems(settings: Settings) -> list[Problem]:
    dns, extension = settings.dns, settings.extension
    if dns is None:
        return []
    at = ("dns",)
    if not extension.enableInference or not extension.sslCname:
        return [
            (
                at,
                "dns makes the A record for the scoring endpoint: set extension.enableInference "
                "and extension.sslCname (or remove dns)",
            )
        ]
    problems: list[Problem] = []
    if dns.relative_name(extension.sslCname) is None:
        problems.append(
            (
                (*at, "zoneId"),
                f"extension.sslCname '{extension.sslCname}' is not inside the zone '{dns.zone}' "
                "of dns.zoneId: use the zone that holds it, or change sslCname",
            )
        )
    service_type = (extension.inferenceRouterServiceType or "").lower()
    if service_type != "loadbalancer":
        problems.append(
            (
                at,
                "the record points at azureml-fe's load balancer IP: it needs "
                "extension.inferenceRouterServiceType: loadBalancer (with nodePort or clusterIP "
                "your own load balancer's record is yours to make)",
            )
        )
    if extension.internalLoadBalancerProvider and not dns.private:
        problems.append(
            (
                (*at, "zoneId"),
                "an internal load balancer has a private IP: use a private DNS zone "
                f"({arm.PRIVATE_DNS_ZONE.example})",
            )
        )
    return problems
