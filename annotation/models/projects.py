"""Annotation projects, their members, and the tasks (one per clip in scope) with their leases."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from annotation.choices import AssignmentStatus, MemberRole, QueueOrder, TaskStatus


class Project(models.Model):
    """A labeling effort: a taxonomy release, the clips in scope (a saved filter), how many people label
    each clip, in what order the queue hands clips out, and how many gold clips are mixed in."""

    name = models.CharField(max_length=200, unique=True)
    taxonomy = models.ForeignKey("taxonomy.Taxonomy", on_delete=models.PROTECT, related_name="projects")
    release = models.ForeignKey(
        "taxonomy.Release",
        on_delete=models.PROTECT,
        related_name="projects",
        help_text="Labels are made under this release; publishing a newer one migrates them.",
    )
    instructions = models.TextField(blank=True)
    clip_filter = models.JSONField(
        default=dict,
        blank=True,
        help_text="The clips in scope (ready ones only): {'program': id, 'tags': [..], 'search': '..', 'ids': [..]}.",
    )
    overlap = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1), MaxValueValidator(10)])
    queue_order = models.CharField(max_length=16, choices=QueueOrder.choices, default=QueueOrder.SEQUENTIAL)
    al_strategy = models.CharField(
        max_length=24,
        default="entropy",
        help_text="Active-learning strategy when the queue order is active learning: least_confidence, margin, "
        "entropy, diversity or balanced.",
    )
    gold_share = models.FloatField(default=0.0, validators=[MinValueValidator(0.0), MaxValueValidator(0.5)])
    lease_seconds = models.PositiveIntegerField(default=600, validators=[MinValueValidator(30)])
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        permissions = [
            ("manage_project", "Can manage annotation projects"),
            ("review_task", "Can review disagreements and flags"),
        ]

    def __str__(self) -> str:
        return self.name


class ProjectMember(models.Model):
    """A person in a project with a role there; `training_mode` shows gold answers after each submit."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_memberships")
    role = models.CharField(max_length=16, choices=MemberRole.choices, default=MemberRole.ANNOTATOR)
    training_mode = models.BooleanField(default=False)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="project_member_unique")]

    def __str__(self) -> str:
        return f"{self.user} in {self.project} ({self.role})"


class Task(models.Model):
    """One clip in one project. `taken` counts live leases plus submitted labels and never exceeds
    `required`; it is only changed under this row's lock, which is what keeps the overlap exact."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    clip = models.ForeignKey("annotation.Clip", on_delete=models.CASCADE, related_name="tasks")
    status = models.CharField(max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    required = models.PositiveSmallIntegerField(default=1, help_text="Labels needed (the project's overlap).")
    taken = models.PositiveSmallIntegerField(default=0, help_text="Live leases + submitted labels.")
    labels_count = models.PositiveSmallIntegerField(default=0)
    is_gold = models.BooleanField(default=False)
    gold_category = models.ForeignKey(
        "taxonomy.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Queue ordering keys: sequential uses the id, random a fixed random key, active learning the score
    # that the classifier writes (higher first).
    random_key = models.FloatField(default=0.0)
    priority = models.FloatField(default=0.0)
    relabel_reason = models.CharField(max_length=200, blank=True)
    final_category = models.ForeignKey(
        "taxonomy.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    final_program = models.ForeignKey(
        "annotation.Program", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    final_source = models.CharField(max_length=16, blank=True, help_text="agreement, review, model or import")
    final_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    final_release = models.ForeignKey(
        "taxonomy.Release", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agreement = models.JSONField(default=dict, blank=True, help_text="{'levels': {1: true, ...}, 'partial': 0.67}")
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["project", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "clip"], name="task_clip_unique"),
            models.CheckConstraint(
                condition=models.Q(taken__lte=models.F("required")) | models.Q(is_gold=True),
                name="task_taken_within_required",
            ),
        ]
        # One per queue order, ending in the order's tie-break (id), so "next" reads the first candidates
        # in order and stops (without `id` PostgreSQL sorted each batch of equal prefixes).
        indexes = [
            models.Index(fields=["project", "status", "is_gold", "id"]),
            models.Index(fields=["project", "status", "is_gold", "random_key", "id"], name="task_queue_random"),
            models.Index(fields=["project", "status", "is_gold", "-priority", "id"], name="task_queue_active"),
        ]

    def __str__(self) -> str:
        return f"task {self.pk} ({self.clip_id} in {self.project_id})"


class Assignment(models.Model):
    """A lease of a task to one annotator. A person never holds two live rows for one task, and is never
    given a task they already labeled or skipped."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    annotator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments")
    status = models.CharField(max_length=16, choices=AssignmentStatus.choices, default=AssignmentStatus.LEASED)
    leased_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["task", "annotator"],
                condition=models.Q(status__in=["leased", "submitted", "skipped"]),
                name="assignment_one_live_per_person",
            )
        ]
        indexes = [models.Index(fields=["annotator", "status"])]

    def __str__(self) -> str:
        return f"{self.annotator} on task {self.task_id} ({self.status})"
