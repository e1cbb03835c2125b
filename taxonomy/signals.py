"""Signals other apps listen to. `release_published` is sent inside the publishing transaction, so what
the listeners do (label migration) commits or rolls back together with the release."""

from django.dispatch import Signal

# Sent with sender=Release class, release=<Release>, actor=<user or None>.
release_published = Signal()
