"""azureml-k8s: Azure Machine Learning on Kubernetes, from one validated stack file."""

import pulumi

from components.platform import Platform
from stacks import settings

platform = Platform("azureml", settings.load())

pulumi.export("clusterId", platform.cluster_id)
pulumi.export("clusterName", platform.cluster_name)
pulumi.export("region", platform.region)
pulumi.export("nodeCount", platform.node_count)
pulumi.export("extensionId", platform.extension_id)
pulumi.export("extensionPrincipalId", platform.extension_principal_id)
pulumi.export("computeIds", platform.compute_ids)
pulumi.export("kubeconfig", platform.kubeconfig)
pulumi.export("scoringUris", platform.scoring_uris)
pulumi.export("endpointKeys", platform.endpoint_keys)
pulumi.export("scaling", platform.scaling)
pulumi.export("egressRules", platform.egress_rules)
pulumi.export("dnsRecord", platform.dns_record)
