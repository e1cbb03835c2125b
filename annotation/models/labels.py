"""Labels people give, and reviewers' decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from annotation.choices import LabelKind, ReviewDecision


class Label(models.Model):
    """One person's answer for one task: a category (and the program the clip comes from), or a skip with
    a reason. A flag marks "the standard is unclear here" for the editors. Labels are never deleted: a
    label carried to a new release gets a new row that points at the one it replaces."""

    task = models.ForeignKey("annotation.Task", on_delete=models.CASCADE, related_name="labels")
    assignment = models.OneToOneField(
        "annotation.Assignment", null=True, blank=True, on_delete=models.SET_NULL, related_name="label"
    )
    annotator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="labels")
    kind = models.CharField(max_length=16, choices=LabelKind.choices, default=LabelKind.LABEL)
    category = models.ForeignKey(
        "taxonomy.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="labels"
    )
    program = models.ForeignKey(
        "annotation.Program", null=True, blank=True, on_delete=models.SET_NULL, related_name="labels"
    )
    release = models.ForeignKey("taxonomy.Release", on_delete=models.PROTECT, related_name="labels")
    time_spent_ms = models.PositiveIntegerField(default=0)
    suggested_category = models.ForeignKey(
        "taxonomy.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suggestion_taken = models.BooleanField(default=False)
    skip_reason = models.CharField(max_length=300, blank=True)
    flagged = models.BooleanField(default=False)
    flag_comment = models.TextField(blank=True)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    is_current = models.BooleanField(default=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["task", "created_at"]
        indexes = [models.Index(fields=["category", "is_current"]), models.Index(fields=["annotator", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} by {self.annotator_id} on task {self.task_id}"


class Review(models.Model):
    """A reviewer's decision on a task in review (a disagreement or a flag): accept one label, correct it
    to another category, or reject the clip. The result becomes the task's final label."""

    task = models.ForeignKey("annotation.Task", on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    decision = models.CharField(max_length=16, choices=ReviewDecision.choices)
    accepted_label = models.ForeignKey(Label, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    category = models.ForeignKey("taxonomy.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    program = models.ForeignKey(
        "annotation.Program", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.decision} on task {self.task_id}"


class LabelMigration(models.Model):
    """What publishing a release did to one project's labels: how many were carried (and how), which
    tasks went back to the queue, and each label that changed category or was sent to re-labeling."""

    project = models.ForeignKey("annotation.Project", on_delete=models.CASCADE, related_name="label_migrations")
    from_release = models.ForeignKey("taxonomy.Release", on_delete=models.PROTECT, related_name="+")
    to_release = models.ForeignKey("taxonomy.Release", on_delete=models.PROTECT, related_name="+")
    carried = models.PositiveIntegerField(default=0)
    relabel_tasks = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, help_text="Carried labels per mapping action.")
    details = models.JSONField(default=list, help_text="[{label, task, from, to, action}] for changed labels.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.project} {self.from_release_id} -> {self.to_release_id}"
