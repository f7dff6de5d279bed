"""Online endpoints on a Kubernetes compute, their deployments and the traffic split.

Scale settings are the settings' own or sized from the traffic by router/ (Deployment.scale());
the numbers and how they were found are a public output, so the preview shows them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pulumi
from pulumi_azure_native import machinelearningservices

from catalog import endpoints as catalog_endpoints
from components.options import children_of
from stacks.settings import Workspace
from stacks.settings.endpoints import Deployment, Endpoint, Probe


def _seconds(value: float) -> str:
    """ISO 8601 duration, as ARM carries timeouts and intervals: 5 -> PT5S, 0.5 -> PT0.5S."""
    return f"PT{value:g}S"


def _probe(probe: Probe | None) -> machinelearningservices.ProbeSettingsArgs | None:
    """The probe as ARM takes it; what the stack leaves out gets Azure's documented default
    (the SDK's Args class fills them in, so the plan shows them)."""
    if probe is None:
        return None
    return machinelearningservices.ProbeSettingsArgs(
        initial_delay=None if probe.initialDelayS is None else _seconds(probe.initialDelayS),
        period=None if probe.periodS is None else _seconds(probe.periodS),
        timeout=None if probe.timeoutS is None else _seconds(probe.timeoutS),
        failure_threshold=probe.failureThreshold,
        success_threshold=probe.successThreshold,
    )


def _endpoint_properties(
    endpoint: Endpoint, compute_id: pulumi.Input[str]
) -> machinelearningservices.OnlineEndpointPropertiesArgsDict:
    # A plain mapping, not the Args class: that would send its defaults too
    # (publicNetworkAccess), which the endpoint leaves to Azure.
    properties: machinelearningservices.OnlineEndpointPropertiesArgsDict = {
        "auth_mode": catalog_endpoints.AUTH_MODES[endpoint.authMode],
        "compute": compute_id,
        "traffic": endpoint.traffic,
    }
    if endpoint.description:
        properties["description"] = endpoint.description
    return properties


def scoring_uri(reported: str | None, cname: str | None) -> str | None:
    """The endpoint's scoring URI as clients use it: on the HTTPS host sslCname when set."""
    if not reported or not cname:
        return reported
    parts = urlsplit(reported)
    return urlunsplit(("https", cname, parts.path, parts.query, parts.fragment))


class Endpoints(pulumi.ComponentResource):
    """Each endpoint (kind Kubernetes, on its compute) with its deployments; traffic is set on
    the endpoint."""

    def __init__(
        self,
        name: str,
        workspaces: dict[str, Workspace],
        endpoints: list[Endpoint],
        compute_ids: dict[str, pulumi.Input[str]],
        location: str,
        cname: str | None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        """workspaces: compute name -> the workspace it attaches to (so each endpoint lands in
        its compute's workspace). compute_ids: compute name -> the compute attach's resource id.
        cname: the router's HTTPS host (extension.sslCname), or None."""
        super().__init__("azureml-k8s:index:Endpoints", name, None, opts)
        scoring: dict[str, pulumi.Output] = {}
        keys: dict[str, pulumi.Output] = {}
        scaling: dict[str, dict] = {}
        for endpoint in endpoints:
            workspace = workspaces[endpoint.compute]
            resource = machinelearningservices.OnlineEndpoint(
                f"{name}-{endpoint.name}",
                endpoint_name=endpoint.name,
                resource_group_name=workspace.resource_group,
                workspace_name=workspace.workspace_name,
                location=location,
                kind=catalog_endpoints.ENDPOINT_COMPUTE_TYPE_KUBERNETES,
                identity={"type": "SystemAssigned"},
                properties=_endpoint_properties(endpoint, compute_ids[endpoint.compute]),
                opts=children_of(self, opts),
            )
            for deployment in endpoint.deployments:
                scaling[f"{endpoint.name}/{deployment.name}"] = self._deploy(
                    name, workspace, endpoint, deployment, resource, location, opts
                )
            scoring[endpoint.name] = resource.properties.apply(
                lambda props: scoring_uri(props.scoring_uri, cname)
            )
            keys[endpoint.name] = self._credential(workspace, endpoint, resource)
        self.scoring_uris = pulumi.Output.from_input(scoring)
        self.keys = pulumi.Output.secret(keys)
        self.scaling = pulumi.Output.from_input(scaling)
        self.register_outputs(
            {"scoringUris": self.scoring_uris, "keys": self.keys, "scaling": self.scaling}
        )

    def _deploy(
        self,
        name: str,
        workspace: Workspace,
        endpoint: Endpoint,
        deployment: Deployment,
        resource: machinelearningservices.OnlineEndpoint,
        location: str,
        opts: pulumi.ResourceOptions | None,
    ) -> dict:
        scale, derivation = deployment.scale()
        requests = deployment.requestSettings
        # Both `properties` and `scale_settings` are unions in the SDK: typed arguments pick the
        # Kubernetes and TargetUtilization shapes (a plain dict would go out unconverted).
        properties = machinelearningservices.KubernetesOnlineDeploymentArgs(
            endpoint_compute_type=catalog_endpoints.ENDPOINT_COMPUTE_TYPE_KUBERNETES,
            model=deployment.model,
            environment_id=deployment.environment,
            instance_type=deployment.instanceType,
            scale_settings=machinelearningservices.TargetUtilizationScaleSettingsArgs(
                scale_type=catalog_endpoints.SCALE_TYPE_TARGET_UTILIZATION,
                min_instances=scale.min_instances,
                max_instances=scale.max_instances,
                target_utilization_percentage=scale.target_utilization_percentage,
                polling_interval=_seconds(scale.polling_interval_s),
            ),
            request_settings=machinelearningservices.OnlineRequestSettingsArgs(
                request_timeout=_seconds(requests.requestTimeoutMs / 1000),
                max_concurrent_requests_per_instance=requests.maxConcurrentRequestsPerInstance,
            ),
            liveness_probe=_probe(deployment.livenessProbe),
            readiness_probe=_probe(deployment.readinessProbe),
        )
        machinelearningservices.OnlineDeployment(
            f"{name}-{endpoint.name}-{deployment.name}",
            deployment_name=deployment.name,
            endpoint_name=endpoint.name,
            resource_group_name=workspace.resource_group,
            workspace_name=workspace.workspace_name,
            location=location,
            kind=catalog_endpoints.ENDPOINT_COMPUTE_TYPE_KUBERNETES,
            properties=properties,
            opts=children_of(self, opts, depends_on=[resource]),
        )
        return {
            "minInstances": scale.min_instances,
            "maxInstances": scale.max_instances,
            "targetUtilizationPercentage": scale.target_utilization_percentage,
            "derivation": derivation,
        }

    def _credential(
        self,
        workspace: Workspace,
        endpoint: Endpoint,
        resource: machinelearningservices.OnlineEndpoint,
    ) -> pulumi.Output:
        """The primary key (key auth) or a current token (amlToken), read once the endpoint
        exists; unknown in a preview."""
        args: dict[str, Any] = {
            "endpoint_name": resource.name,
            "resource_group_name": workspace.resource_group,
            "workspace_name": workspace.workspace_name,
            "opts": pulumi.InvokeOutputOptions(parent=self, depends_on=[resource]),
        }
        if endpoint.authMode == "key":
            keys = machinelearningservices.list_online_endpoint_keys_output(**args)
            return pulumi.Output.secret(keys.primary_key)
        token = machinelearningservices.get_online_endpoint_token_output(**args)
        return pulumi.Output.secret(token.access_token)
