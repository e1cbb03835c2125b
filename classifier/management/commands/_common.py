"""Helpers shared by the classifier's management commands."""

from django.core.management.base import CommandError

from classifier.models import ModelVersion
from taxonomy.models import Taxonomy


def taxonomy_named(name: str) -> Taxonomy:
    try:
        return Taxonomy.objects.get(name=name)
    except Taxonomy.DoesNotExist:
        known = ", ".join(Taxonomy.objects.values_list("name", flat=True)) or "none"
        raise CommandError(f"No taxonomy named {name!r} (known: {known}).") from None


def version_of(taxonomy: Taxonomy, number: int | None) -> ModelVersion:
    qs = ModelVersion.objects.filter(taxonomy=taxonomy)
    version = qs.filter(number=number).first() if number else qs.filter(status="active").first()
    if version is None:
        raise CommandError(f"No model version {number}." if number else f"{taxonomy.name!r} has no active model.")
    return version
