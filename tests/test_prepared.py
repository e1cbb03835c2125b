"""core.prepared.Statement: prepared once per PostgreSQL session and executed after; the same rows as
plain SQL on either database; prepared again on a new connection."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.prepared import Statement

pytestmark = pytest.mark.django_db

PAIR = Statement("test_pair", "SELECT %s + 1, %s || 'x'", ["integer", "text"])


def test_rows_and_the_statement_text(settings):
    assert PAIR.row([41, "a"]) == (42, "ax")
    assert PAIR.rows([1, "b"]) == [(2, "bx")]
    with CaptureQueriesContext(connection) as queries:
        PAIR.row([2, "c"])
    sent = [q["sql"] for q in queries]
    if connection.vendor == "postgresql":
        assert sent == ["EXECUTE clipcat_test_pair (2, 'c')"]  # prepared by the calls above, not again
        settings.CLIPCAT_PREPARED_STATEMENTS = False
        with CaptureQueriesContext(connection) as queries:
            assert PAIR.row([3, "d"]) == (4, "dx")
        assert [q["sql"] for q in queries] == ["SELECT 3 + 1, 'd' || 'x'"]
    else:
        assert sent == ["SELECT 2 + 1, 'c' || 'x'"]


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_again():
    if connection.vendor != "postgresql":
        pytest.skip("PREPARE is PostgreSQL's")
    assert PAIR.row([1, "z"]) == (2, "zx")
    connection.close()
    with CaptureQueriesContext(connection) as queries:
        assert PAIR.row([5, "y"]) == (6, "yx")
    assert [q["sql"].split(" (")[0] for q in queries] == ["PREPARE clipcat_test_pair", "EXECUTE clipcat_test_pair"]


def test_named_parameters_may_repeat():
    twice = Statement("test_named", "SELECT %(a)s + %(a)s, %(b)s", {"a": "integer", "b": "text"})
    assert twice.row({"a": 2, "b": "x"}) == (4, "x")
    assert twice.row({"b": "y", "a": 5}) == (10, "y")
    with pytest.raises(ValueError, match=r"parameters \['a'\] but types for \['a', 'b'\]"):
        Statement("bad_named", "SELECT %(a)s", {"a": "integer", "b": "text"})


def test_a_statement_without_parameters():
    assert Statement("test_none", "SELECT 7").row() == (7,)


def test_placeholders_must_match_types():
    with pytest.raises(ValueError, match="2 placeholders but 1 parameter types"):
        Statement("bad", "SELECT %s, %s", ["integer"])
    with pytest.raises(ValueError, match="lower case"):
        Statement("Bad-name", "SELECT 1")
