"""Extension points other apps plug into, so annotation does not import them."""

from django.dispatch import Signal

# Sent (inside the transaction) when a clip's processing ends ready: sender=Clip class, clip_id=<int>.
clip_ready = Signal()

# Sent (inside the transaction) when a project's queue has to be ordered again: tasks were added, or its queue
# order or active-learning strategy changed. sender=Project class, project=<Project>.
project_queue_changed = Signal()

# Callables task -> suggestion dict or None; the labeling page shows the first non-None answer.
suggestion_providers: list = []


def suggestion_for(task) -> dict | None:
    for provider in suggestion_providers:
        answer = provider(task)
        if answer is not None:
            return answer
    return None
