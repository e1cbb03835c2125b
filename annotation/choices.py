"""Choice sets of the annotation app."""

from django.db import models

from annotation.media.errors import MediaErrorCode


class ProgramKind(models.TextChoices):
    SERIES = "series", "Series"
    FILM = "film", "Film"
    SHOW = "show", "Show"
    OTHER = "other", "Other"


class ClipStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class ClipError(models.TextChoices):
    """Why a clip failed: the media pipeline's permanent errors, plus failures of the processing itself."""

    EMPTY = MediaErrorCode.EMPTY.value, "Empty file"
    NOT_VIDEO = MediaErrorCode.NOT_VIDEO.value, "Not a video"
    TRUNCATED = MediaErrorCode.TRUNCATED.value, "Truncated or damaged"
    UNSUPPORTED_CODEC = MediaErrorCode.UNSUPPORTED_CODEC.value, "Unsupported codec"
    TOO_LONG = MediaErrorCode.TOO_LONG.value, "Too long"
    TOO_LARGE = MediaErrorCode.TOO_LARGE.value, "Too large"
    TIMED_OUT = "timed_out", "Processing took too long"
    INTERRUPTED = "interrupted", "Processing was interrupted"
    INTERNAL = "internal", "Internal error"


class QueueOrder(models.TextChoices):
    SEQUENTIAL = "sequential", "Sequential"
    RANDOM = "random", "Random"
    ACTIVE_LEARNING = "active_learning", "Active learning"


class MemberRole(models.TextChoices):
    ANNOTATOR = "annotator", "Annotator"
    REVIEWER = "reviewer", "Reviewer"
    MANAGER = "manager", "Manager"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    REVIEW = "review", "In review"
    DONE = "done", "Done"
    REJECTED = "rejected", "Rejected"


class AssignmentStatus(models.TextChoices):
    LEASED = "leased", "Leased"
    SUBMITTED = "submitted", "Submitted"
    SKIPPED = "skipped", "Skipped"
    EXPIRED = "expired", "Expired"
    RELEASED = "released", "Released"
    SUPERSEDED = "superseded", "Superseded by a re-label"


class LabelKind(models.TextChoices):
    LABEL = "label", "Label"
    SKIP = "skip", "Skip"


class ReviewDecision(models.TextChoices):
    ACCEPT = "accept", "Accept a label"
    CORRECT = "correct", "Correct"
    REJECT = "reject", "Reject"
