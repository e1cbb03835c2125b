"""Writes for users: creating people with a role."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from .roles import ADMIN, ROLE_CHOICES


@transaction.atomic
def user_create_with_role(*, username: str, password: str, role: str, email: str = ""):
    """Create (or update the password and role of) a user. `role` is a key of ROLE_CHOICES."""
    groups = dict(ROLE_CHOICES)
    if role not in groups:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(groups)}")
    user, _ = get_user_model().objects.get_or_create(username=username, defaults={"email": email})
    user.set_password(password)
    user.is_staff = groups[role] == ADMIN
    user.is_superuser = groups[role] == ADMIN
    user.save()
    user.groups.set([Group.objects.get(name=groups[role])])
    return user
