"""Choice sets of the classifier app."""

from django.db import models


class ModelStatus(models.TextChoices):
    TRAINING = "training", "Training"
    READY = "ready", "Ready"
    ACTIVE = "active", "Active"
    RETIRED = "retired", "Retired"
    FAILED = "failed", "Failed"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class RunTrigger(models.TextChoices):
    RELEASE = "release", "A release was published"
    LABELS = "labels", "New labels"
    MANUAL = "manual", "Started by hand"


class Strategy(models.TextChoices):
    """Active-learning strategies: which clips people should label next."""

    LEAST_CONFIDENCE = "least_confidence", "Least confidence"
    MARGIN = "margin", "Smallest margin"
    ENTROPY = "entropy", "Entropy along the path"
    DIVERSITY = "diversity", "Diversity (k-center greedy)"
    BALANCED = "balanced", "Uncertain, balanced over categories"


class Split(models.TextChoices):
    """Where a final-labeled clip serves the model: learning, early stopping and calibration, or judging."""

    TRAIN = "train", "Train"
    VALIDATION = "validation", "Validation"
    TEST = "test", "Test"


ACTIVE_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


class SuggestionDecision(models.TextChoices):
    """What an ops reviewer does with a model suggestion for an unlabeled clip."""

    ACCEPT = "accept", "Accept the suggestion"
    CORRECT = "correct", "Correct it"
    REJECT = "reject", "Reject it"
