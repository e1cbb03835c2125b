"""The dashboard pages and API: every role can read them, the charts are well-formed SVG with the expected
labels, names people typed come out escaped, and the API is in the OpenAPI schema."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from dashboards import charts
from taxonomy import services as taxonomy_services
from tests.conftest import ROLES

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
ENDPOINTS = (
    "labels-per-category",
    "agreement",
    "model-versions",
    "category-quality",
    "throughput",
    "queues",
    "cold-start",
)
MARCH = {"start": "2025-03-01", "end": "2025-03-31"}


def svgs(html: str) -> dict[str, ET.Element]:
    """Every <svg> of a page, parsed as XML, by id."""
    found = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    assert found, "no chart on the page"
    return {(root := ET.fromstring(s)).get("id"): root for s in found}


def texts(root: ET.Element) -> str:
    return " ".join("".join(el.itertext()) for el in root.iter(f"{SVG}text"))


def signed_in(client, users, role):
    client.force_login(users[role])
    return client


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_dashboards(client, users, world, role):
    signed_in(client, users, role)
    query = {"taxonomy": world["taxonomy"].pk, **MARCH}
    page = client.get(reverse("dashboards:index"), query)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="/dashboards/"' in html  # the nav entry
    charts_by_id = svgs(html)
    assert set(charts_by_id) >= {
        "chart-labels",
        "chart-agreement",
        "chart-precision-recall",
        "chart-versions",
        "chart-confusion",
        "chart-throughput",
        "chart-queues",
        "chart-cold-start",
    }
    for root in charts_by_id.values():
        assert root.find(f"{SVG}title").text and root.find(f"{SVG}desc").text
    assert "Nature > Animals > Cats" in texts(charts_by_id["chart-labels"])
    assert "Sports > Football > Match highlights" in texts(charts_by_id["chart-labels"])
    assert "ann1" in texts(charts_by_id["chart-throughput"])
    assert "Overlap" in texts(charts_by_id["chart-queues"])
    assert "level 3" in texts(charts_by_id["chart-agreement"])
    assert client.get(reverse("dashboards:models"), query).status_code == 200
    for name in ENDPOINTS:
        answer = client.get(reverse(f"dashboards-api:{name}"), query)
        assert answer.status_code == 200, (name, answer.content)


def test_signed_out_people_are_sent_to_log_in(client, world):
    assert client.get(reverse("dashboards:index")).status_code == 302
    for name in ENDPOINTS:
        assert client.get(reverse(f"dashboards-api:{name}")).status_code in (401, 403)


def test_the_api_gives_the_chart_numbers_and_refuses_writes(client, users, world):
    signed_in(client, users, "annotator")
    query = {"taxonomy": world["taxonomy"].pk, "project": world["single"].pk, "held_out": "false", **MARCH}
    data = client.get(reverse("dashboards-api:category-quality"), query).json()
    assert data["confusion"]["matrix"] == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]
    queues = client.get(reverse("dashboards-api:queues"), {"taxonomy": world["taxonomy"].pk}).json()
    assert {p["name"]: p["open"] for p in queues["projects"]} == {"Overlap": 1, "Single": 0}
    assert client.post(reverse("dashboards-api:queues"), {}).status_code in (403, 405)
    wrong = client.get(reverse("dashboards-api:throughput"), {"start": "2025-03-10", "end": "2025-03-01"})
    assert wrong.status_code == 400 and wrong.json() == {"end": ["The end date comes before the start date."]}
    assert client.get(reverse("dashboards-api:cold-start"), {"minutes": "soon"}).status_code == 400


def test_the_endpoints_are_in_the_schema(client, users):
    signed_in(client, users, "reviewer")
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    for name in ENDPOINTS:
        assert f"/api/dashboards/{name}/" in schema["paths"], name


def test_names_people_typed_come_out_escaped(client, users, world, editor, small_taxonomy, cat):
    from annotation.models import Task

    evil = taxonomy_services.category_add(
        taxonomy=small_taxonomy, name="<script>alert(1)</script>", parent=cat("animals"), actor=editor, code="evil"
    )
    Task.objects.filter(project=world["single"]).update(final_category=evil)
    signed_in(client, users, "admin")
    html = client.get(reverse("dashboards:index"), {"taxonomy": small_taxonomy.pk, **MARCH}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    labels = svgs(html)["chart-labels"]
    assert "Nature > Animals > <script>alert(1)</script>" in texts(labels)  # the parsed text is the name itself


def test_empty_charts_say_so(client, users):
    signed_in(client, users, "annotator")
    html = client.get(reverse("dashboards:index")).content.decode()
    assert "No taxonomy yet" in html
    for root in svgs(html).values():
        assert root.find(f"{SVG}text[@class='empty']") is not None


def test_chart_functions_escape_and_parse():
    svg = charts.bar_chart(
        chart_id="x", title='a "quoted" <title>', desc="d & e", labels=["<b>&"], series=[("s<", [3])]
    )
    root = ET.fromstring(str(svg))
    assert root.find(f"{SVG}title").text == 'a "quoted" <title>'
    heat = charts.heatmap(chart_id="h", title="t", desc="d", labels=["a<", "b"], matrix=[[1, 2], [0, 3]])
    assert "a<" in texts(ET.fromstring(str(heat)))
    line = charts.line_chart(chart_id="l", title="t", desc="d", x=["2025-03-03"], series=[("one", [0.5])], max_value=1)
    assert ET.fromstring(str(line)).find(f".//{SVG}circle") is not None
    assert charts.nice_ticks(87) == [0, 20, 40, 60, 80, 100]
