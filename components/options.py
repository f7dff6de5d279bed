"""Options for a component's children."""

from __future__ import annotations

import pulumi


def children_of(
    component: pulumi.ComponentResource,
    opts: pulumi.ResourceOptions | None,
    *,
    depends_on: list[pulumi.Resource] | None = None,
    **extra,
) -> pulumi.ResourceOptions:
    """Options for a child: parented to the component, and waiting for what the component was told
    to wait for (Pulumi does not pass a component's depends_on on to its children)."""
    inherited = opts.depends_on if opts is not None else None
    if isinstance(inherited, pulumi.Resource):
        inherited = [inherited]
    if inherited is not None and not isinstance(inherited, list):
        # An Output of resources cannot be merged with the child's own list at plan time.
        raise TypeError("children_of: the component's depends_on must be a list of resources")
    waits = [*(inherited or []), *(depends_on or [])]
    return pulumi.ResourceOptions(parent=component, depends_on=waits or None, **extra)
