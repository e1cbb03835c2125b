"""The role matrix: what each role gets from every API operation and every page, and how the tests find
every operation and page that exists (so that a new one fails until it is given a row here).

Cells, in the order anonymous, annotator, reviewer, editor, admin:

  A  allowed: an answer about the data (2xx, 3xx, or the 400 an empty body earns), never 401/403/404.
  D  denied: 401 or 403 from the API; from a page a 403 (401 from the browsable API root), a redirect to
     log in, or a redirect back saying "Your role does not allow ...".
  H  hidden: 404; the object exists, but it is not one this person may see (another person's lease).

Where the code does something else than the row says, the case is listed in KNOWN_WRONG with the reason
and runs as a strict xfail: the row keeps what should happen.
"""

from __future__ import annotations

import re

ROLES = ("anonymous", "annotator", "reviewer", "editor", "admin")
ALLOW, DENY, HIDDEN = "allowed", "denied", "hidden"
CELLS = {"A": ALLOW, "D": DENY, "H": HIDDEN}

# Every operation of the OpenAPI schema. Path parameters are filled with objects of one project that
# the annotator and the reviewer are members of (the editor and the admin manage every project); the
# lease ({id} of assignments) is each person's own, and the annotator's for the editor, who labels none.
API_TABLE = """
                                                    anon ann  rev  edit admin
POST   /api/auth/token/                             A    A    A    A    A
GET    /api/taxonomies/                             D    A    A    A    A
POST   /api/taxonomies/                             D    D    D    A    A
POST   /api/taxonomies/import/                      D    D    D    A    A
GET    /api/taxonomies/{id}/                        D    A    A    A    A
PUT    /api/taxonomies/{id}/                        D    D    D    A    A
PATCH  /api/taxonomies/{id}/                        D    D    D    A    A
GET    /api/taxonomies/{id}/export/                 D    A    A    A    A
POST   /api/taxonomies/{id}/publish/                D    D    D    A    A
GET    /api/taxonomies/{id}/search/                 D    A    A    A    A
GET    /api/taxonomies/{id}/tree/                   D    A    A    A    A
GET    /api/categories/                             D    A    A    A    A
POST   /api/categories/                             D    D    D    A    A
GET    /api/categories/{id}/                        D    A    A    A    A
POST   /api/categories/{id}/deprecate/              D    D    D    A    A
POST   /api/categories/{id}/merge/                  D    D    D    A    A
POST   /api/categories/{id}/move/                   D    D    D    A    A
POST   /api/categories/{id}/rename/                 D    D    D    A    A
POST   /api/categories/{id}/restore/                D    D    D    A    A
POST   /api/categories/{id}/split/                  D    D    D    A    A
GET    /api/categories/{id}/standards/              D    A    A    A    A
POST   /api/categories/{id}/standards/              D    D    D    A    A
GET    /api/categories/{id}/standards/diff/         D    A    A    A    A
GET    /api/releases/                               D    A    A    A    A
GET    /api/releases/diff/                          D    A    A    A    A
GET    /api/releases/{id}/                          D    A    A    A    A
GET    /api/releases/{id}/categories/               D    A    A    A    A
GET    /api/releases/{id}/mapping/                  D    A    A    A    A
GET    /api/audit-events/                           D    A    A    A    A
GET    /api/audit-events/{id}/                      D    A    A    A    A
GET    /api/clips/                                  D    A    A    A    A
POST   /api/clips/                                  D    D    A    A    A
GET    /api/clips/{id}/                             D    A    A    A    A
PUT    /api/clips/{id}/                             D    D    A    A    A
PATCH  /api/clips/{id}/                             D    D    A    A    A
DELETE /api/clips/{id}/                             D    D    D    D    A
POST   /api/clips/{id}/reprocess/                   D    D    A    A    A
GET    /api/programs/                               D    A    A    A    A
POST   /api/programs/                               D    D    A    A    A
GET    /api/programs/{id}/                          D    A    A    A    A
PUT    /api/programs/{id}/                          D    D    A    A    A
PATCH  /api/programs/{id}/                          D    D    A    A    A
DELETE /api/programs/{id}/                          D    D    D    D    A
GET    /api/projects/                               D    A    A    A    A
POST   /api/projects/                               D    D    D    A    A
GET    /api/projects/{id}/                          D    A    A    A    A
PUT    /api/projects/{id}/                          D    D    D    A    A
PATCH  /api/projects/{id}/                          D    D    D    A    A
GET    /api/projects/{id}/export/                   D    A    A    A    A
POST   /api/projects/{id}/import-labels/            D    D    D    A    A
GET    /api/projects/{id}/me/                       D    A    A    A    A
GET    /api/projects/{id}/members/                  D    A    A    A    A
POST   /api/projects/{id}/members/                  D    D    D    A    A
GET    /api/projects/{id}/migrations/               D    A    A    A    A
POST   /api/projects/{id}/next/                     D    A    A    D    A
GET    /api/projects/{id}/stats/                    D    A    A    A    A
POST   /api/projects/{id}/sync/                     D    D    D    A    A
GET    /api/assignments/{id}/                       D    A    A    H    A
POST   /api/assignments/{id}/release/               D    A    A    D    A
POST   /api/assignments/{id}/renew/                 D    A    A    D    A
POST   /api/assignments/{id}/skip/                  D    A    A    D    A
POST   /api/assignments/{id}/submit/                D    A    A    D    A
GET    /api/tasks/                                  D    A    A    A    A
GET    /api/tasks/{id}/                             D    A    A    A    A
POST   /api/tasks/{id}/review/                      D    D    A    D    A
GET    /api/labels/                                 D    A    A    A    A
GET    /api/labels/{id}/                            D    A    A    A    A
GET    /api/model-versions/                         D    A    A    A    A
GET    /api/model-versions/{id}/                    D    A    A    A    A
GET    /api/model-versions/{id}/evaluate/           D    A    A    A    A
POST   /api/model-versions/{id}/promote/            D    D    A    D    A
GET    /api/training-runs/                          D    A    A    A    A
POST   /api/training-runs/                          D    D    A    A    A
GET    /api/training-runs/{id}/                     D    A    A    A    A
POST   /api/training-runs/{id}/cancel/              D    D    A    A    A
GET    /api/predictions/                            D    A    A    A    A
GET    /api/suggestions/                            D    A    A    A    A
POST   /api/suggestions/{id}/review/                D    D    A    D    A
POST   /api/suggestions/bulk-accept/                D    D    A    D    A
GET    /api/classify/                               D    A    A    A    A
GET    /api/dashboards/agreement/                   D    A    A    A    A
GET    /api/dashboards/category-quality/            D    A    A    A    A
GET    /api/dashboards/cold-start/                  D    A    A    A    A
GET    /api/dashboards/labels-per-category/         D    A    A    A    A
GET    /api/dashboards/model-versions/              D    A    A    A    A
GET    /api/dashboards/queues/                      D    A    A    A    A
GET    /api/dashboards/throughput/                  D    A    A    A    A
"""

# Every URL pattern outside the OpenAPI schema, as Django writes it; the methods each view serves. The
# API's own root, schema and docs are here too (the schema does not describe itself), and the Django
# admin's front page stands for the admin site, which Django guards (is_staff) as a whole.
PAGE_TABLE = """
                                                    anon ann  rev  edit admin
GET    /                                            D    A    A    A    A
GET    /health/                                     A    A    A    A    A
GET    /accounts/login/                             A    A    A    A    A
POST   /accounts/login/                             A    A    A    A    A
POST   /accounts/logout/                            A    A    A    A    A
GET    /taxonomy/                                   D    A    A    A    A
POST   /taxonomy/                                   D    D    D    A    A
POST   /taxonomy/import/                            D    D    D    A    A
GET    /taxonomy/<int:pk>/                          D    A    A    A    A
POST   /taxonomy/<int:pk>/                          D    D    D    A    A
POST   /taxonomy/<int:pk>/publish/                  D    D    D    A    A
GET    /taxonomy/<int:pk>/audit/                    D    A    A    A    A
GET    /taxonomy/<int:pk>/releases/                 D    A    A    A    A
GET    /taxonomy/releases/<int:pk>/                 D    A    A    A    A
GET    /taxonomy/categories/<int:pk>/               D    A    A    A    A
POST   /taxonomy/categories/<int:pk>/edit/<str:op>/ D    D    D    A    A
POST   /taxonomy/categories/<int:pk>/standard/      D    D    D    A    A
GET    /clips/                                      D    A    A    A    A
GET    /clips/upload/                               D    D    A    A    A
GET    /clips/<int:pk>/                             D    A    A    A    A
POST   /clips/<int:pk>/                             D    D    A    A    A
POST   /clips/<int:pk>/reprocess/                   D    D    A    A    A
GET    /clips/<int:pk>/<slug:kind>                  D    A    A    A    A
GET    /programs/                                   D    A    A    A    A
POST   /programs/                                   D    D    A    A    A
GET    /programs/<int:pk>/                          D    A    A    A    A
POST   /programs/<int:pk>/                          D    D    A    A    A
GET    /labeling/                                   D    A    A    A    A
POST   /labeling/                                   D    D    D    A    A
GET    /labeling/flags/                             D    D    A    A    A
GET    /labeling/projects/<int:pk>/                 D    A    A    A    A
POST   /labeling/projects/<int:pk>/members/         D    D    D    A    A
POST   /labeling/projects/<int:pk>/sync/            D    D    D    A    A
POST   /labeling/projects/<int:pk>/import/          D    D    D    A    A
GET    /labeling/projects/<int:pk>/label/           D    A    A    D    A
GET    /labeling/projects/<int:pk>/review/          D    D    A    D    A
GET    /models/                                     D    A    A    A    A
GET    /models/runs/<int:pk>/                       D    A    A    A    A
GET    /models/versions/                            D    A    A    A    A
GET    /models/review/                              D    D    A    D    A
GET    /dashboards/                                 D    A    A    A    A
GET    /dashboards/models/                          D    A    A    A    A
GET    /api/                                        D    A    A    A    A
GET    /api/schema/                                 A    A    A    A    A
GET    /api/docs/                                   A    A    A    A    A
GET    /admin/                                      D    D    D    D    A
"""

# (method, path, role) -> why the code's answer differs from the row. Each runs as a strict xfail.
KNOWN_WRONG: dict[tuple[str, str, str], str] = {
}


def parse(table: str) -> dict[tuple[str, str], dict[str, str]]:
    """(method, path) -> {role: outcome} from one of the tables above."""
    rows = {}
    for line in table.strip().splitlines()[1:]:
        method, path, *cells = line.split()
        assert len(cells) == len(ROLES) and (method, path) not in rows, line
        rows[(method, path)] = {role: CELLS[cell] for role, cell in zip(ROLES, cells, strict=True)}
    return rows


API = parse(API_TABLE)
PAGES = parse(PAGE_TABLE)

# What path parameters stand for, by where they sit: the first match wins.
API_RESOURCE = re.compile(r"^/api/([a-z-]+)/\{id\}/")
PAGE_OBJECTS = (
    ("/taxonomy/releases/", "release"),
    ("/taxonomy/categories/", "category"),
    ("/taxonomy/", "taxonomy"),
    ("/clips/", "clip"),
    ("/programs/", "program"),
    ("/labeling/projects/", "project"),
    ("/models/runs/", "run"),
)
PAGE_ARGUMENTS = {"<slug:kind>": "video", "<str:op>": "rename"}
# Where the object in the path belongs to a labeling project (for the cross-project checks).
PROJECT_SCOPED_API = ("projects", "clips", "tasks", "assignments", "labels")
PROJECT_SCOPED_PAGES = ("/clips/<int:pk>/", "/labeling/projects/<int:pk>/")


# -- what exists ----------------------------------------------------------------------------------------


def schema_operations() -> set[tuple[str, str]]:
    """(METHOD, path) of every operation in the OpenAPI schema, as the API serves it."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }


def request_formats() -> dict[tuple[str, str], str]:
    """(METHOD, path) -> "json" or "multipart": how the operation takes a body."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    formats = {}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {}) if isinstance(operation, dict) else {}
            formats[(method.upper(), path)] = "multipart" if content and "application/json" not in content else "json"
    return formats


def _walk(resolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if hasattr(entry, "url_patterns"):
            yield from _walk(entry, route)
        else:
            yield route


def url_templates() -> set[str]:
    """Every URL pattern of the site as a path template: path() routes as Django writes them
    (`/taxonomy/<int:pk>/`), the routers' regexes with their groups as `<name>`. The Django admin's own
    patterns and the routers' format suffixes (`.json`: the same views again) are left out."""
    from django.urls import get_resolver

    templates = set()
    for route in _walk(get_resolver()):
        if route.startswith("admin/") or "format>" in route:
            continue
        route = route.replace("^", "").replace("$", "").replace("/?", "/")
        templates.add("/" + re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", route))
    return templates


def shape(path: str) -> str:
    """A path with every parameter blanked, so `/api/x/{id}/` and `/api/x/<pk>/` compare equal."""
    return re.sub(r"\{[^}]*\}|<[^>]*>", "{}", path)
