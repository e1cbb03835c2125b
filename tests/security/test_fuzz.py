"""The API fuzzed from its own OpenAPI schema (schemathesis, in process): as an admin, who may call every
operation, no answer is a server error and every answer matches the schema (status codes, content types
and bodies). Runs on the demo-shaped data of a small taxonomy, a project and clips."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from config.wsgi import application

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application).exclude(
    path_regex="^/api/(suggestions)"
)
CHECKS = ("not_a_server_error", "response_schema_conformance", "status_code_conformance", "content_type_conformance")


@pytest.fixture
def admin_token(users, make_project_for_fuzz):
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=users["admin"])[0].key


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api(case, admin_token):
    from schemathesis import checks as st_checks  # noqa: F401 - registers the named checks

    case.call_and_validate(
        headers={"Authorization": f"Token {admin_token}"},
        checks=[getattr(schemathesis.checks, name) for name in CHECKS],
    )
