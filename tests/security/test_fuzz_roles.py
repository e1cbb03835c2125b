"""The API fuzzed from its own OpenAPI schema as an annotator and as a reviewer (test_fuzz.py fuzzes as an
admin, who may call everything). Each generated request is sent as both; most writes refuse one of them.
No answer is a server error, and every answer, refusals included, is one the schema documents (the
error answers are added to every operation by core.api.schema.add_error_responses)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from config.wsgi import application

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
CHECKS = ("not_a_server_error", "status_code_conformance", "response_schema_conformance", "content_type_conformance")
ROLES = ("annotator", "reviewer")


@pytest.fixture
def tokens(users, make_project_for_fuzz):
    """role -> API token. Both are members of the fuzzed project, so its ids lead somewhere."""
    from rest_framework.authtoken.models import Token

    from annotation.services.projects import project_member_set

    for role in ROLES:
        project_member_set(project=make_project_for_fuzz, user=users[role], role=role)
    return {role: Token.objects.get_or_create(user=users[role])[0].key for role in ROLES}


@pytest.fixture(autouse=True)
def _app_inside_the_test_transaction():
    """The app runs in this thread on the test's connection, inside its transaction (rolled back at the end,
    which is much faster than emptying the database after each operation). Django's own test client does
    the same: it keeps the per-request connection cleanup from closing that connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_as_annotator_and_reviewer(case, tokens):
    from schemathesis import checks as st_checks  # noqa: F401 - registers the named checks

    for role, token in tokens.items():
        try:
            case.call_and_validate(
                headers={"Authorization": f"Token {token}"},
                checks=[getattr(schemathesis.checks, name) for name in CHECKS],
            )
        except Exception as failure:
            failure.add_note(f"(as the {role})")
            raise
