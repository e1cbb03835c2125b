"""The taxonomy API: every action of the pages, with the role checks."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from taxonomy.models import AuditEvent, Category, Release


def test_every_endpoint_needs_a_user(api, small_taxonomy):
    anonymous = api(None)
    for url in ["/api/taxonomies/", f"/api/taxonomies/{small_taxonomy.pk}/tree/", "/api/categories/", "/api/releases/"]:
        assert anonymous.get(url).status_code in (401, 403), url


@pytest.mark.parametrize("role", ["annotator", "reviewer", "editor", "admin"])
def test_every_role_reads_the_taxonomy(api, small_taxonomy, role):
    response = api(role).get(f"/api/taxonomies/{small_taxonomy.pk}/tree/")
    assert response.status_code == 200
    tree = response.json()
    assert [n["name"] for n in tree] == ["Nature", "Sports"]
    sports = tree[1]
    assert sports["descendants"] == 4 and [c["name"] for c in sports["children"]] == ["Basketball", "Football"]


WRITES = [
    ("post", "/api/categories/", lambda t, c: {"taxonomy": t.pk, "name": "New", "parent": c("sports").pk}),
    ("post", "/api/categories/{football}/rename/", lambda t, c: {"name": "Soccer"}),
    ("post", "/api/categories/{football}/move/", lambda t, c: {"parent": None}),
    ("post", "/api/categories/{training}/merge/", lambda t, c: {"target": c("match-highlights").pk}),
    ("post", "/api/categories/{cats}/split/", lambda t, c: {"parts": [{"name": "A"}, {"name": "B"}]}),
    ("post", "/api/categories/{cats}/deprecate/", lambda t, c: {"reason": "x"}),
    ("post", "/api/categories/{cats}/standards/", lambda t, c: {"definition": "Cats."}),
    ("post", "/api/taxonomies/{tax}/publish/", lambda t, c: {"notes": ""}),
    ("post", "/api/taxonomies/", lambda t, c: {"name": "Other", "max_depth": 3}),
]


def _url(template, taxonomy, cat):
    return template.format(
        tax=taxonomy.pk,
        **{code.replace("-", "_"): cat(code).pk for code in ["football", "training", "cats", "match-highlights"]},
    )


@pytest.mark.parametrize("method, template, body", WRITES)
@pytest.mark.parametrize("role", ["annotator", "reviewer"])
def test_annotators_and_reviewers_cannot_edit(api, small_taxonomy, cat, role, method, template, body):
    small_taxonomy.refresh_from_db()
    revision = small_taxonomy.revision
    response = getattr(api(role), method)(_url(template, small_taxonomy, cat), body(small_taxonomy, cat), format="json")
    assert response.status_code == 403, response.content
    small_taxonomy.refresh_from_db()
    assert small_taxonomy.revision == revision


@pytest.mark.parametrize("method, template, body", WRITES)
def test_editors_can_edit(api, small_taxonomy, cat, method, template, body):
    response = getattr(api("editor"), method)(
        _url(template, small_taxonomy, cat), body(small_taxonomy, cat), format="json"
    )
    assert response.status_code in (200, 201), response.content


def test_model_rules_come_back_as_400(api, small_taxonomy, cat):
    client = api("editor")
    response = client.post(
        f"/api/categories/{cat('sports').pk}/move/", {"parent": cat("match-highlights").pk}, format="json"
    )
    assert response.status_code == 400 and "descendants" in str(response.json())
    response = client.post(
        "/api/categories/", {"taxonomy": small_taxonomy.pk, "name": "x", "parent": cat("cats").pk}, format="json"
    )
    assert response.status_code == 400 and "at most 3 levels" in str(response.json())
    response = client.post(f"/api/categories/{cat('football').pk}/rename/", {"name": "Basketball"}, format="json")
    assert response.status_code == 400 and "already exists" in str(response.json())


def test_search_ranks_name_prefix_first(api, small_taxonomy):
    results = api("annotator").get(f"/api/taxonomies/{small_taxonomy.pk}/search/", {"q": "foot"}).json()
    assert [r["code"] for r in results] == ["football", "training", "match-highlights"]  # then shorter paths
    results = api("annotator").get(f"/api/taxonomies/{small_taxonomy.pk}/search/", {"q": "sports match"}).json()
    assert [r["path"] for r in results] == ["Sports > Football > Match highlights"]


def test_tree_cache_follows_edits(api, small_taxonomy, cat):
    client = api("editor")
    url = f"/api/taxonomies/{small_taxonomy.pk}/tree/"
    assert client.get(url).json()[1]["children"][1]["name"] == "Football"
    client.post(f"/api/categories/{cat('football').pk}/rename/", {"name": "Soccer"}, format="json")
    assert client.get(url).json()[1]["children"][1]["name"] == "Soccer"


def test_standards_history_and_diff(api, cat):
    client = api("editor")
    url = f"/api/categories/{cat('cats').pk}/standards/"
    client.post(url, {"definition": "Cats at home."}, format="json")
    client.post(url, {"definition": "Cats at home or outside.", "change_note": "wider"}, format="json")
    history = client.get(url).json()
    assert [r["number"] for r in history] == [2, 1] and history[0]["change_note"] == "wider"
    diff = client.get(url + "diff/").json()
    definition = next(f for f in diff["fields"] if f["field"] == "definition")
    assert definition["changed"]
    assert {"op": "insert", "text": "or outside."} in definition["ops"] or any(
        op["op"] == "insert" and "outside" in op["text"] for op in definition["ops"]
    )


def test_publish_mapping_and_diff_endpoints(api, small_taxonomy, cat):
    client = api("editor")
    first = client.post(f"/api/taxonomies/{small_taxonomy.pk}/publish/", {}, format="json").json()
    client.post(f"/api/categories/{cat('training').pk}/merge/", {"target": cat("match-highlights").pk}, format="json")
    client.post(f"/api/categories/{cat('cats').pk}/split/", {"parts": [{"name": "A"}, {"name": "B"}]}, format="json")
    second = client.post(f"/api/taxonomies/{small_taxonomy.pk}/publish/", {"notes": "v2"}, format="json").json()
    assert (first["version"], second["version"], second["is_major"]) == ("1.0", "2.0", True)
    mapping = {m["code"]: m for m in client.get(f"/api/releases/{second['id']}/mapping/").json()}
    assert mapping["training"]["action"] == "merged" and mapping["training"]["target_codes"] == ["match-highlights"]
    assert mapping["cats"]["action"] == "split" and sorted(mapping["cats"]["target_codes"]) == ["a", "b"]
    diff = client.get("/api/releases/diff/", {"from": first["id"], "to": second["id"]}).json()
    assert {d["code"]: d["action"] for d in diff} == {"training": "merged", "cats": "split", "a": "added", "b": "added"}
    again = client.post(f"/api/taxonomies/{small_taxonomy.pk}/publish/", {}, format="json")
    assert again.status_code == 400 and "Nothing changed" in str(again.json())
    assert Release.objects.count() == 2


def test_import_endpoint_refuses_deeper_then_folds(api):
    content = b"Banner\r\nUnique ID\tParent\tName\r\n1\t\tA\r\n2\t1\tB\r\n3\t2\tC\r\n4\t3\tD\r\n"
    client = api("editor")
    response = client.post(
        "/api/taxonomies/import/", {"file": SimpleUploadedFile("t.tsv", content), "name": "Imp"}, format="multipart"
    )
    assert response.status_code == 400 and "deeper" in str(response.json())
    response = client.post(
        "/api/taxonomies/import/",
        {"file": SimpleUploadedFile("t.tsv", content), "name": "Imp", "fold_deeper": "true"},
        format="multipart",
    )
    assert response.status_code == 201 and (response.json()["created"], response.json()["folded"]) == (3, 1)
    assert (
        api("annotator")
        .post(
            "/api/taxonomies/import/", {"file": SimpleUploadedFile("t.tsv", content), "name": "X"}, format="multipart"
        )
        .status_code
        == 403
    )


def test_export_endpoint(api, small_taxonomy):
    response = api("annotator").get(f"/api/taxonomies/{small_taxonomy.pk}/export/", {"file_format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.decode().splitlines()[0].startswith("code,parent_code,name")


def test_category_filters(api, small_taxonomy, cat):
    client = api("annotator")
    rows = client.get("/api/categories/", {"ancestor_id": cat("sports").pk, "page_size": 100}).json()["results"]
    assert {r["code"] for r in rows} == {"football", "match-highlights", "training", "basketball"}
    rows = client.get("/api/categories/", {"taxonomy": small_taxonomy.pk, "depth": 3}).json()["results"]
    assert {r["code"] for r in rows} == {"match-highlights", "training", "cats"}


def test_audit_log_endpoint(api, small_taxonomy, cat):
    api("editor").post(f"/api/categories/{cat('cats').pk}/rename/", {"name": "Felines", "reason": "why"}, format="json")
    rows = api("reviewer").get("/api/audit-events/", {"taxonomy": small_taxonomy.pk, "action": "category_renamed"})
    event = rows.json()["results"][0]
    assert (event["actor"], event["reason"], event["category_code"]) == ("editor1", "why", "cats")
    assert AuditEvent.objects.filter(taxonomy=small_taxonomy).count() > 8


def test_schema_and_docs_are_served(api):
    schema = api("annotator").get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in [
        "/api/categories/{id}/merge/",
        "/api/categories/{id}/split/",
        "/api/taxonomies/{id}/publish/",
        "/api/releases/diff/",
        "/api/taxonomies/import/",
    ]:
        assert path in paths, path
    assert api("annotator").get("/api/docs/").status_code == 200


def test_token_auth(users, client):
    from rest_framework.test import APIClient

    response = client.post("/api/auth/token/", {"username": "annotator1", "password": "a-long-test-password"})
    token = response.json()["token"]
    api_client = APIClient()
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/taxonomies/").status_code == 200
    assert Category.objects.count() == 0
