"""Template context shared by every page: the navigation, filtered by what the user may do."""

from django.urls import reverse

NAV = (
    ("Taxonomies", "taxonomy:list", None),
    ("Clips", "annotation:clip-list", "annotation.view_clip"),
    ("Programs", "annotation:program-list", "annotation.view_program"),
    ("Labeling", "labeling:index", None),
    ("Models", "classifier:runs", None),
    ("Dashboards", "dashboards:index", None),
    ("API", "api-docs", None),
)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [
        {"label": label, "url": reverse(name), "active": request.path.startswith(reverse(name))}
        for label, name, perm in NAV
        if perm is None or user.has_perm(perm)
    ]
    return {"nav_items": items}
