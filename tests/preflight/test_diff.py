"""`preflight diff` on plans made by hand: what it marks disruptive beyond the extension's
settings (the scoring name's DNS record removed or replaced) and the warnings a change brings."""

from __future__ import annotations

from preflight.report import diff as plan_diff

RECORD = "azure-native:dns:RecordSet"
PRIVATE_RECORD = "azure-native:privatedns:PrivateRecordSet"


def record(type_: str = RECORD, name: str = "scoring", zone: str = "ml.contoso.com") -> dict:
    key = "zoneName" if type_ == RECORD else "privateZoneName"
    return {
        "urn": f"urn:pulumi:prod::azureml-k8s::azureml-k8s:index:Platform${type_}::azureml-dns-a",
        "type": type_,
        "inputs": {"relativeRecordSetName": name, key: zone, "recordType": "A", "ttl": 300},
    }


def plan(*resources: dict, warnings: tuple[str, ...] = ()) -> dict:
    return {
        "resources": list(resources),
        "diagnostics": [{"severity": "warning", "message": w} for w in warnings]
        + [{"severity": "info", "message": "not a warning"}],
    }


def test_removing_the_scoring_record_is_disruptive():
    d = plan_diff.diff(plan(record()), plan())
    [removal] = d["disruptiveRemovals"]
    assert removal["type"] == RECORD and "cannot resolve it once it is deleted" in removal["why"]
    assert plan_diff.disruptive_count(d) == 1
    text = plan_diff.text(d)
    assert "- azureml-dns-a" in text and "    DISRUPTIVE: the scoring name's DNS record" in text
    assert "1 disruptive" in text
    markdown = plan_diff.markdown(d)
    assert "> [!WARNING]" in markdown and "**Disrupts** `azureml-dns-a`" in markdown


def test_replacing_the_scoring_record_is_disruptive():
    d = plan_diff.diff(plan(record(name="scoring")), plan(record(name="score")))
    [change] = d["changed"]
    assert change["replace"] == ["relativeRecordSetName"]
    assert any("between its deletion and its re-creation" in r for r in change["disruptive"])
    assert not d["disruptiveRemovals"] and plan_diff.disruptive_count(d) == 1


def test_moving_the_record_to_a_private_zone_is_a_disruptive_removal():
    d = plan_diff.diff(
        plan(record()), plan(record(PRIVATE_RECORD) | {"urn": "urn:pulumi:p::a::x::b"})
    )
    assert [r["type"] for r in d["disruptiveRemovals"]] == [RECORD]


def test_a_ttl_change_or_an_added_record_disrupts_nothing():
    changed = record()
    changed["inputs"] = {**changed["inputs"], "ttl": 60}
    d = plan_diff.diff(plan(record()), plan(changed))
    assert d["changed"] and not d["changed"][0].get("disruptive")
    d = plan_diff.diff(plan(), plan(record()))
    assert d["added"] and plan_diff.disruptive_count(d) == 0


def test_new_and_resolved_warnings_whatever_the_stack_files_path():
    kept = "config.azureml-k8s:endpoints[0]: maxInstances 8 may not fit the gpu pool"
    base = plan(warnings=(f"/tmp/plandiff-x/stacks/Pulumi.prod.yaml: {kept}", "old one"))
    head = plan(warnings=(f"stacks/Pulumi.prod.yaml: {kept}", "new one", "new one"))
    d = plan_diff.diff(base, head)
    assert d["warnings"] == {"new": ["new one"], "resolved": ["old one"]}
    text = plan_diff.text(d)
    assert "! new warning: new one" in text and "resolved warning: old one" in text
    assert text.rstrip().endswith("1 new warnings")
    markdown = plan_diff.markdown(d)
    assert "> **New warning**: `new one`" in markdown
    assert "Resolved warnings:\n- `old one`" in markdown
    assert "| | | | no changes |" in markdown  # no resource changed


def test_plans_without_diagnostics_still_compare():
    d = plan_diff.diff({"resources": []}, {"resources": [], "diagnostics": None})
    assert d["warnings"] == {"new": [], "resolved": []}
    assert plan_diff.text(d).startswith("no changes")


def _resource(type_: str, name: str, **inputs) -> dict:
    return {"urn": f"urn:pulumi:prod::p::{type_}::{name}", "type": type_, "inputs": inputs}


def test_upgrade_changes_say_what_they_do_to_running_work():
    extension = "azure-native:kubernetesconfiguration:Extension"
    cluster = "azure-native:containerservice:ManagedCluster"
    window = "azure-native:containerservice:MaintenanceConfiguration"
    base = plan(
        _resource(extension, "ml", version="1.1.38", autoUpgradeMinorVersion=False),
        _resource(cluster, "aks", kubernetesVersion="1.31"),
        _resource(window, "w", maintenanceWindow={"startTime": "00:00"}),
    )
    head = plan(
        _resource(extension, "ml", version="1.1.39", autoUpgradeMinorVersion=False),
        _resource(cluster, "aks", kubernetesVersion="1.32"),
        _resource(window, "w", maintenanceWindow={"startTime": "02:00"}),
    )
    d = plan_diff.diff(base, head)
    effects = {c["urn"].rsplit("::", 1)[-1]: c["effects"] for c in d["changed"]}
    assert "azureml-fe and the extension's pods restart" in effects["ml"][0]
    assert "nodes surged and drained" in effects["aks"][0]
    assert "the next automatic upgrade may run in the new window" in effects["w"][0]
    text = plan_diff.text(d)
    assert "    NOTE: the extension is upgraded in place" in text
    markdown = plan_diff.markdown(d)
    assert "> [!NOTE]" in markdown and markdown.count("> **`") == 3
    # The notes block is closed before the table.
    assert "\n\n| | Resource | Type | Change |" in markdown
    # A change without such an effect carries none.
    quiet = plan_diff.diff(
        plan(_resource(cluster, "aks", dnsPrefix="a", kubernetesVersion="1.31")),
        plan(_resource(cluster, "aks", dnsPrefix="a", kubernetesVersion="1.31", tags={"x": "y"})),
    )
    assert "effects" not in quiet["changed"][0]
