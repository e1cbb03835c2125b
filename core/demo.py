"""Demo data for `make run`: people for each role and a three-level taxonomy with written standards.
Other apps add their part (clips, programs) through DEMO_BUILDERS."""

from __future__ import annotations

from django.db import transaction

from accounts.services import user_create_with_role

DEMO_PASSWORD = "clipcat-demo"
DEMO_USERS = (
    ("admin", "admin"),
    ("editor", "editor"),
    ("annotator", "annotator"),
    ("annotator2", "annotator"),
    ("reviewer", "reviewer"),
)
DEMO_TAXONOMY = "Video categories"

# name -> (definition, include, exclude, children)
DEMO_TREE: dict = {
    "Sports": (
        "Competitive physical activity, played or watched.",
        "",
        "",
        {
            "Football": (
                "Association football (soccer).",
                "",
                "American football",
                {
                    "Match highlights": (
                        "Edited highlights of a professional match.",
                        "Goals, saves, key fouls",
                        "Training sessions; fan vlogs",
                        {},
                    ),
                    "Training drills": ("Players practising technique or fitness.", "", "Match footage", {}),
                },
            ),
            "Basketball": (
                "Basketball at any level.",
                "",
                "",
                {
                    "Game highlights": ("Edited highlights of a basketball game.", "Dunks, buzzer beaters", "", {}),
                    "Skills tutorials": ("Teaching basketball skills.", "Dribbling, shooting form", "", {}),
                },
            ),
        },
    ),
    "Nature": (
        "Wildlife and landscapes with little human presence.",
        "",
        "",
        {
            "Animals": (
                "Animals are the subject.",
                "",
                "Pets in human homes (see Pets)",
                {
                    "Wildlife": ("Wild animals in their habitat.", "", "Zoos", {}),
                    "Pets": ("Cats, dogs and other domestic animals.", "", "", {}),
                },
            ),
            "Landscapes": (
                "Scenery is the subject.",
                "",
                "",
                {
                    "Space and sky": ("The night sky, rockets and space.", "Rocket launches", "", {}),
                    "Coast and sea": ("Beaches, coasts, the sea.", "", "", {}),
                },
            ),
        },
    ),
    "Food": (
        "Cooking and eating.",
        "",
        "",
        {
            "Cooking": (
                "Preparing food.",
                "",
                "",
                {
                    "Recipes": ("Step-by-step recipes.", "", "", {}),
                    "Coffee and drinks": ("Making coffee, tea and drinks.", "", "", {}),
                },
            ),
        },
    ),
}

DEMO_BUILDERS: list = []


def demo_builder(func):
    """Register a function(stdout) that adds one app's demo data; run in registration order."""
    DEMO_BUILDERS.append(func)
    return func


@demo_builder
def _users(stdout) -> None:
    for username, role in DEMO_USERS:
        user_create_with_role(username=username, password=DEMO_PASSWORD, role=role)
    stdout.write(f"demo users: {', '.join(u for u, _ in DEMO_USERS)}")


@demo_builder
def _taxonomy(stdout) -> None:
    from django.contrib.auth import get_user_model

    from taxonomy import services
    from taxonomy.models import Taxonomy

    if Taxonomy.objects.filter(name=DEMO_TAXONOMY).exists():
        return
    editor = get_user_model().objects.get(username="editor")
    taxonomy = services.taxonomy_create(
        name=DEMO_TAXONOMY,
        max_depth=3,
        actor=editor,
        description="The demo category system: three levels with written standards.",
    )

    def add(children: dict, parent=None) -> None:
        for name, (definition, include, exclude, sub) in children.items():
            category = services.category_add(
                taxonomy=taxonomy,
                name=name,
                parent=parent,
                actor=editor,
                standard={"definition": definition, "include_rules": include, "exclude_rules": exclude},
            )
            add(sub, category)

    add(DEMO_TREE)
    services.release_publish(taxonomy=taxonomy, actor=editor, notes="First demo release.")
    stdout.write(f"demo taxonomy: {taxonomy.categories.count()} categories, release 1.0")


@transaction.atomic
def demo_data_make(stdout, *, with_model: bool = False) -> None:
    """Every app's demo data; `with_model` also trains a first classifier on seed labels (about a minute
    on a 2-core CPU), so the model in the loop has something to show."""
    # Apps register their builders when imported; import them here so every part is present.
    import annotation.demo  # noqa: F401
    import annotation.demo_projects  # noqa: F401

    for builder in DEMO_BUILDERS:
        builder(stdout)
    if with_model:
        from classifier.demo import demo_model_make

        demo_model_make(stdout)
