"""The shipped ladder survives the database: what a new post gets is what the engine ships."""

from __future__ import annotations

import pytest

from readiness.engine.defaults import DEFAULT_LADDER
from readiness.posts.selectors import ladder_specs
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_a_new_post_s_triggers_are_the_shipped_ones_field_for_field() -> None:
    post = PostFactory()

    stored = ladder_specs(post=post)

    assert [level.triggers for level in stored] == [level.triggers for level in DEFAULT_LADDER]
    shelter = stored[5].triggers
    assert any(t.with_category == "peer_action" and t.with_min_severity == 4 for t in shelter)
