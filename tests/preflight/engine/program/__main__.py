"""Resources of the shapes pulumi-policy's integration programs register, in Python.

The upstream programs (TypeScript) use the random provider and dynamic resources; preflight never
calls a provider, so plain CustomResources with the same type tokens register the same shapes.
Stack config picks what varies between scenarios.
"""

import pulumi

config = pulumi.Config()


class Resource(pulumi.CustomResource):
    def __init__(self, type_token, name, props, opts=None):
        super().__init__(type_token, name, props, opts)


class Component(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("my:index:Component", name, None, opts)
        self.child = Resource(
            "random:index/randomString:RandomString",
            f"{name}-child",
            {"length": 4},
            pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"childLength": 4})


text = Resource("random:index/randomString:RandomString", "str", {"length": 8, "result": None})
Resource(
    "random:index/randomUuid:RandomUuid",
    "r1",
    {"keepers": {"k": "v"} if config.get_bool("keepers") else {}},
)
Resource(
    "pulumi-nodejs:dynamic:Resource",
    "a",
    {"state": config.get_int("state") or 0, "value": "original"},
)
# A RandomString's `result` is computed by the provider: unknown at preview.
Resource("random:index/randomPet:RandomPet", "pet", {"prefix": text.result})

explicit = pulumi.ProviderResource(
    "random", "explicit", {"extra": "yes"}, pulumi.ResourceOptions(version="4.16.0")
)
parent = Component("parent", pulumi.ResourceOptions(depends_on=[text]))
Resource(
    "random:index/randomString:RandomString",
    "options",
    {"length": text.length},
    pulumi.ResourceOptions(
        provider=explicit,
        parent=parent,
        protect=True,
        ignore_changes=["length"],
        delete_before_replace=True,
        custom_timeouts=pulumi.CustomTimeouts(create="2m", update="1h30m"),
        additional_secret_outputs=["result"],
        depends_on=[text],
    ),
)

# Secrets and nested values reach policies as plain values (pulumi-policy's deserialize test).
Resource(
    "pulumi-nodejs:dynamic:Resource",
    "secretive",
    {"secret": pulumi.Output.secret("shh-value"), "nested": {"list": [1, "two"]}},
)
# Messages over gRPC's default 4 MB (validate_resource scenario 11).
huge = config.get_int("hugeBytes") or 0
if huge:
    Resource("pulumi-nodejs:dynamic:Resource", "huge", {"data": "x" * huge})

big = config.get("big") or ""
pulumi.export("greeting", "hello")
pulumi.export("bigLength", len(big))
