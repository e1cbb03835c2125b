"""accounts.backends.RoleBackend reads permissions in one query and must give exactly what Django's
ModelBackend gives: group (role) permissions, a person's own permissions, everything for superusers,
nothing for inactive users."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.test.utils import CaptureQueriesContext

from accounts.backends import RoleBackend

pytestmark = pytest.mark.django_db


def fresh(user):
    return type(user).objects.get(pk=user.pk)  # no permission cache


@pytest.mark.parametrize("role", ["admin", "editor", "annotator", "reviewer"])
def test_same_permissions_as_model_backend(users, role):
    user = users[role]
    user.user_permissions.add(Permission.objects.get(codename="delete_taxonomy"))
    ours, django = RoleBackend().get_all_permissions(fresh(user)), ModelBackend().get_all_permissions(fresh(user))
    assert ours == django
    assert "taxonomy.delete_taxonomy" in ours  # the person's own permission counts with the role's


def test_role_permissions_and_one_query(users, django_assert_num_queries):
    annotator = fresh(users["annotator"])
    with django_assert_num_queries(1):
        assert annotator.has_perm("annotation.add_label")
        assert not annotator.has_perm("taxonomy.change_category")
        assert annotator.has_perm("taxonomy.view_category")


def test_superuser_and_inactive(users, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="a-long-test-password")
    assert RoleBackend().get_all_permissions(fresh(root)) == {
        f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.select_related("content_type")
    }
    editor = users["editor"]
    editor.is_active = False
    editor.save()
    assert not fresh(editor).has_perm("taxonomy.change_category")
    assert RoleBackend().get_all_permissions(fresh(editor)) == set()


def test_project_list_for_an_annotator_is_one_query_without_duplicates(users, small_taxonomy, editor):
    """projects_for_user filters with EXISTS (not a join + DISTINCT), so two memberships don't double a row."""
    from annotation.labeling_selectors import projects_for_user
    from annotation.services.projects import project_create, project_member_set
    from taxonomy.services import release_publish

    release_publish(taxonomy=small_taxonomy, actor=editor)
    mine = project_create(name="Mine", taxonomy=small_taxonomy, actor=editor)
    project_create(name="Other", taxonomy=small_taxonomy, actor=editor)
    project_member_set(project=mine, user=users["annotator"])
    project_member_set(project=mine, user=users["reviewer"], role="reviewer")
    from django.db import connection

    annotator = fresh(users["annotator"])
    annotator.has_perm("x.y")  # fill the permission cache first
    with CaptureQueriesContext(connection) as queries:
        names = [p.name for p in projects_for_user(annotator)]
    assert names == ["Mine"]
    assert len(queries) == 1
