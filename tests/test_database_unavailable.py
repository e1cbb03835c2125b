"""A database that goes away under a request (restart, failover) gives a 503 with Retry-After, not a 500:
the labeling page and API clients retry it, and the next request gets a fresh connection. The connection
is really cut: PostgreSQL terminates its backend."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_lost_connection_answers_503_and_the_next_request_works(api, cut_connection):
    client = api("annotator")
    assert client.get("/api/projects/").status_code == 200
    cut_connection()
    response = client.get("/api/projects/")
    assert response.status_code == 503, response.content
    assert response["Retry-After"] == "5"
    assert "nothing was saved" in response.json()["detail"]
    connection.close()  # what Django does at the end of a request whose connection broke
    assert client.get("/api/projects/").status_code == 200


def test_the_schema_documents_503():
    from rest_framework.test import APIClient

    schema = APIClient().get("/api/schema/?format=json").json()
    assert all("503" in op["responses"] for item in schema["paths"].values() for op in item.values())
