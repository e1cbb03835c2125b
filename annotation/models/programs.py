"""Programs: the long-form series, films and shows that clips are cut from."""

from django.db import models

from annotation.choices import ProgramKind


class Program(models.Model):
    """A series, film or show. Clips may name the program they come from; the model uses it as context."""

    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=16, choices=ProgramKind.choices, default=ProgramKind.SERIES)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        constraints = [models.UniqueConstraint(fields=["title", "year"], name="program_title_year_unique")]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        self.title = " ".join(self.title.split())
        if not self.title:
            raise ValidationError({"title": "A program needs a title."})
        if self.year is not None and not 1880 <= self.year <= 2100:
            raise ValidationError({"year": "Give a year between 1880 and 2100."})
