"""The one error an import raises: every problem found, each naming its row."""

from django.core.exceptions import ValidationError

MAX_LISTED = 20


class TaxonomyImportError(ValidationError):
    """Raised before anything is written, so a failed import leaves the database untouched."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:MAX_LISTED]
        more = len(problems) - len(shown)
        text = "\n".join(shown) + (f"\n... and {more} more" if more > 0 else "")
        super().__init__(f"The file cannot be imported ({len(problems)} problem(s)):\n{text}")
