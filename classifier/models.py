"""Model versions, training runs, predictions, and reviews of the model's suggestions."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from classifier.choices import ModelStatus, RunStatus, RunTrigger, Split, SuggestionDecision


class ModelVersion(models.Model):
    """One trained classifier for a taxonomy release: an immutable artifact file (weights, label space,
    config, metrics, backbone id). At most one version per taxonomy is active: the one that pre-labels."""

    taxonomy = models.ForeignKey("taxonomy.Taxonomy", on_delete=models.CASCADE, related_name="model_versions")
    release = models.ForeignKey("taxonomy.Release", on_delete=models.PROTECT, related_name="model_versions")
    number = models.PositiveIntegerField(help_text="1, 2, ... per taxonomy")
    status = models.CharField(max_length=16, choices=ModelStatus.choices, default=ModelStatus.TRAINING)
    artifact = models.CharField(max_length=500, blank=True, help_text="Path of the artifact file.")
    backbone_id = models.CharField(max_length=200, blank=True)
    text_encoder_id = models.CharField(max_length=200, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    train_count = models.PositiveIntegerField(default=0)
    eval_count = models.PositiveIntegerField(default=0)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The version whose head this one started from.",
    )
    calibration = models.JSONField(
        default=dict, blank=True, help_text="Temperatures, open-set method and thresholds fitted on validation."
    )
    frame_backend = models.CharField(
        max_length=32, blank=True, help_text="The frame feature backend it was trained on; serving uses the same."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    promoted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["taxonomy", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["taxonomy", "number"], name="model_version_number_unique"),
            models.UniqueConstraint(
                fields=["taxonomy"], condition=models.Q(status="active"), name="one_active_model_per_taxonomy"
            ),
        ]
        permissions = [("promote_modelversion", "Can promote or roll back model versions")]

    def __str__(self) -> str:
        return f"{self.taxonomy.name} model v{self.number} ({self.status})"

    @property
    def primary_metric(self) -> float | None:
        value = (self.metrics or {}).get("hit_at_1")
        return float(value) if value is not None else None


class TrainingRun(models.Model):
    """A (re)training of a taxonomy's classifier: why it started, live progress, its log and result.
    Triggers that arrive while a run is queued join it (their reasons are appended)."""

    taxonomy = models.ForeignKey("taxonomy.Taxonomy", on_delete=models.CASCADE, related_name="training_runs")
    release = models.ForeignKey("taxonomy.Release", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED, db_index=True)
    trigger = models.CharField(max_length=16, choices=RunTrigger.choices)
    reasons = models.JSONField(default=list, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scheduled_for = models.DateTimeField(help_text="When the queued run starts (triggers coalesce until then).")
    stage = models.CharField(max_length=32, blank=True)
    progress = models.FloatField(default=0.0, help_text="0..1")
    epoch = models.PositiveIntegerField(default=0)
    loss = models.FloatField(null=True, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    device = models.CharField(max_length=32, blank=True)
    log = models.TextField(blank=True)
    error = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    model_version = models.ForeignKey(ModelVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    promoted = models.BooleanField(default=False)
    promotion_note = models.TextField(blank=True, help_text="Why the new version was or was not promoted.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("start_trainingrun", "Can start and cancel training runs")]

    def __str__(self) -> str:
        return f"run {self.pk} ({self.status})"


class Prediction(models.Model):
    """What a model version says about a clip: the best valid path, top categories per level, uncertainty
    measures (indexed, so picking the next clips to label is a query), and the clip embedding."""

    clip = models.ForeignKey("annotation.Clip", on_delete=models.CASCADE, related_name="predictions")
    model_version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="predictions")
    category = models.ForeignKey("taxonomy.Category", null=True, on_delete=models.SET_NULL, related_name="+")
    path = models.JSONField(default=list, help_text="Codes of the best path, level 1 first.")
    confidence = models.FloatField(help_text="Calibrated probability of the best path.", db_index=True)
    open_set_score = models.FloatField(
        null=True, blank=True, help_text="How well the clip fits the known categories (higher fits better)."
    )
    preselect = models.BooleanField(
        default=False, help_text="Confident and in-set enough that the labeling page may pre-select it."
    )
    top = models.JSONField(default=list, help_text="[{'codes': [...], 'p': 0.7}, ...] best paths")
    least_confidence = models.FloatField(default=0.0)
    margin = models.FloatField(default=0.0, help_text="p(best) - p(second); small is uncertain")
    entropy = models.FloatField(default=0.0, help_text="Entropy of the path distribution")
    embedding = models.BinaryField(blank=True, help_text="float16 clip embedding")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["clip", "model_version"], name="prediction_unique")]
        indexes = [
            models.Index(fields=["model_version", "-least_confidence"], name="pred_lc"),
            models.Index(fields=["model_version", "margin"], name="pred_margin"),
            models.Index(fields=["model_version", "-entropy"], name="pred_entropy"),
            models.Index(fields=["model_version", "category", "-entropy"], name="pred_cat_entropy"),
        ]

    def __str__(self) -> str:
        return f"{self.clip_id} by v{self.model_version_id}: {'/'.join(self.path)} ({self.confidence:.2f})"


class SuggestionReview(models.Model):
    """An ops reviewer's decision on a model suggestion for a clip nobody labeled: accept it or correct it
    (both become a final label in the taxonomy's "Reviewed model suggestions" project, so training and
    exports see it), or reject it (recorded only; the clip leaves the suggestions list). The prediction may
    be replaced by a later re-prediction, so what was suggested is kept here too."""

    taxonomy = models.ForeignKey("taxonomy.Taxonomy", on_delete=models.CASCADE, related_name="+")
    clip = models.ForeignKey("annotation.Clip", on_delete=models.CASCADE, related_name="suggestion_reviews")
    prediction = models.ForeignKey(Prediction, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    model_version = models.ForeignKey(ModelVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    suggested_category = models.ForeignKey(
        "taxonomy.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confidence = models.FloatField(default=0.0, help_text="The suggestion's confidence when it was reviewed.")
    decision = models.CharField(max_length=16, choices=SuggestionDecision.choices)
    category = models.ForeignKey(
        "taxonomy.Category",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The category the clip got (accept: the suggestion; correct: the reviewer's); empty on reject.",
    )
    label = models.ForeignKey("annotation.Label", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)
    bulk = models.BooleanField(default=False, help_text="Accepted in a bulk accept above a confidence.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["taxonomy", "clip"], name="sugg_review_tax_clip")]

    def __str__(self) -> str:
        return f"{self.decision} of the suggestion for clip {self.clip_id}"


class ClipSplit(models.Model):
    """The split a final-labeled clip belongs to in one taxonomy, decided once (stratified by its category
    when it first reaches training) and kept: a clip a model was tested on never becomes a training clip."""

    taxonomy = models.ForeignKey("taxonomy.Taxonomy", on_delete=models.CASCADE, related_name="+")
    clip = models.ForeignKey("annotation.Clip", on_delete=models.CASCADE, related_name="+")
    split = models.CharField(max_length=16, choices=Split.choices)
    category_code = models.CharField(max_length=100, help_text="The label it was stratified by.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["taxonomy", "clip"], name="clip_split_unique")]

    def __str__(self) -> str:
        return f"clip {self.clip_id}: {self.split}"
