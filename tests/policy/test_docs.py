"""docs/policies.md is generated from the pack and must not go stale."""

from policy import docs, pack


def test_policies_doc_is_current():
    assert docs.DOC.read_text() == docs.render(), "docs/policies.md is stale: python -m policy.docs"


def test_doc_covers_every_policy_with_its_link_and_config():
    text = docs.render()
    for rule in pack.rules():
        section = text.split(f"\n## {rule.name}\n", 1)[1].split("\n## ", 1)[0]
        assert f"**Level:** {rule.level.value}." in section
        assert f"<{rule.url}>" in section and rule.why in section and rule.fix in section
        for key in rule.schema_properties:
            assert f"| `{key}` |" in section


def test_check_fails_on_a_stale_file(tmp_path, monkeypatch):
    stale = tmp_path / "policies.md"
    stale.write_text("# Policies\n")
    monkeypatch.setattr(docs, "DOC", stale)
    assert docs.main(["--check"]) == 1
    assert docs.main([]) == 0 and docs.main(["--check"]) == 0
