"""The findings' shared work (summaries per set of policies, the admin test per document, remembered action
matches) gives exactly what the plain functions give, principal by principal."""

from __future__ import annotations

import pytest

from iamviz.analysis.identity import action_matches, documents_for, policies_for
from iamviz.analysis.permissions import may_be_admin, summarize_permissions
from iamviz.loading import load_file, snapshot_from_json
from iamviz.loading.samples import list_samples, load_sample
from iamviz.model import Statement


def _snapshots(real_world_dir, make_account):
    yield from (load_sample(info.name) for info in list_samples())
    yield from (load_file(path) for path in sorted(real_world_dir.glob("*.json")))
    yield snapshot_from_json([make_account.generate(roles=400, seed=3, mix="worst")], name="synthetic")


def test_memoised_summaries_and_admin_tests_equal_the_plain_ones(real_world_dir, make_account):
    checked = shared = 0
    for snapshot in _snapshots(real_world_dir, make_account):
        memo: dict = {}
        documents: dict = {}
        for account in snapshot.accounts:
            for entity in (*account.users, *account.roles):
                plain = summarize_permissions(account, entity.arn)
                before = len(memo)
                assert summarize_permissions(account, entity.arn, memo=memo) == plain
                shared += len(memo) == before
                assert may_be_admin(account, entity.arn, memo=documents) == may_be_admin(account, entity.arn)
                checked += 1
    assert checked > 500
    assert shared > 100  # the memo was used, not only filled


def test_documents_for_lists_the_documents_of_policies_for_in_order(real_world_dir, make_account):
    for snapshot in _snapshots(real_world_dir, make_account):
        for account in snapshot.accounts:
            for entity in (*account.users, *account.roles):
                expected = [attached.document for attached in policies_for(account, entity.arn)]
                assert list(documents_for(account, entity.arn)) == expected


@pytest.mark.parametrize(
    ("actions", "not_actions", "action", "expected"),
    [
        (("sts:AssumeRole",), None, "sts:assumerole", True),  # action names are case-insensitive
        (("sts:Assume*",), None, "sts:AssumeRoleWithSAML", True),
        (("sts:AssumeRole?",), None, "sts:AssumeRole", False),  # ? is exactly one character
        (("s3:*",), None, "sts:AssumeRole", False),
        (None, ("s3:*",), "sts:AssumeRole", True),  # NotAction: everything but the listed ones
        (None, ("sts:*",), "sts:AssumeRole", False),
        (None, None, "sts:AssumeRole", False),
    ],
)
def test_remembered_action_matches_answer_as_the_pattern_rules_say(actions, not_actions, action, expected):
    """IAM: "Action element ... wildcards (* or ?)", "NotAction ... matches everything except the specified list",
    action names are case-insensitive (IAM User Guide, IAM JSON policy elements: Action / NotAction)."""
    statement = Statement(index=0, effect="Allow", actions=actions, not_actions=not_actions, resources=("*",))
    assert action_matches(statement, action) is expected
    assert action_matches(statement, action) is expected  # the second answer comes from the memo
