"""accounts.authentication.TokenAuthentication: one prepared statement gives the person and exactly the
permissions RoleBackend (and so Django's ModelBackend) gives; refusals are DRF's own."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.authentication import TokenAuthentication
from accounts.backends import RoleBackend

pytestmark = pytest.mark.django_db


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.mark.parametrize("role", ["admin", "editor", "annotator", "reviewer"])
def test_same_user_and_permissions_as_the_backend(users, role):
    user = users[role]
    user.user_permissions.add(Permission.objects.get(codename="delete_taxonomy"))
    key = Token.objects.create(user=user).key
    found, auth = TokenAuthentication().authenticate_credentials(key)
    assert (found.pk, found.username, found.is_staff, auth) == (user.pk, user.username, user.is_staff, key)
    fresh = type(user).objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as queries:
        mine = found.get_all_permissions()
    assert mine == RoleBackend().get_all_permissions(fresh)
    assert "taxonomy.delete_taxonomy" in mine  # own permissions count with the role's
    assert len(queries) == (1 if user.is_superuser else 0)  # superusers: every permission, read as before


def test_a_person_without_permissions_and_a_superuser(django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="a-long-test-password")
    found, _ = TokenAuthentication().authenticate_credentials(Token.objects.create(user=nobody).key)
    assert found._perm_cache == set()
    assert not found.has_perm("annotation.add_label")
    root = django_user_model.objects.create_superuser("root", password="a-long-test-password")
    found, _ = TokenAuthentication().authenticate_credentials(Token.objects.create(user=root).key)
    assert found.is_superuser and found.has_perm("taxonomy.delete_taxonomy")


def test_one_statement_per_request_for_user_and_permissions(users):
    client = token_client(users["annotator"])
    client.get("/api/projects/")  # the first request on a connection also prepares the statement
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/projects/").status_code == 200
    names = ("clipcat_token_user", "authtoken_token", "auth_permission")
    auth = [q["sql"] for q in queries if any(name in q["sql"] for name in names)]
    assert len(auth) == 1, auth


def test_unknown_token_inactive_person_and_no_credentials_get_401(users):
    """401 with the Token challenge (token authentication comes first), as the schema documents."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = client.get("/api/projects/")
    assert (response.status_code, response.json()["detail"]) == (401, "Invalid token.")
    assert response["WWW-Authenticate"] == "Token"
    response = APIClient().get("/api/projects/")
    assert (response.status_code, response["WWW-Authenticate"]) == (401, "Token")
    assert response.json()["detail"] == "Authentication credentials were not provided."
    annotator = users["annotator"]
    client = token_client(annotator)
    annotator.is_active = False
    annotator.save()
    response = client.get("/api/projects/")
    assert (response.status_code, response.json()["detail"]) == (401, "User inactive or deleted.")


def test_a_signed_in_browser_session_still_works(users):
    client = APIClient()
    client.force_login(users["annotator"])
    assert client.get("/api/projects/").status_code == 200


def test_a_role_change_counts_on_the_next_request(users):
    """Nothing is cached between requests: a person removed from their role loses its rights at once."""
    annotator = users["annotator"]
    client = token_client(annotator)
    url = "/api/projects/999999/next/"  # no such project: past the permission check, a 404
    assert client.post(url, {}, format="json").status_code == 404
    annotator.groups.clear()
    assert client.post(url, {}, format="json").status_code == 403  # refused before looking
