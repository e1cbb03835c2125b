"""The API's one permission class. Every request needs a signed-in user; writes need the role's
permissions, declared by the view (`action_permissions`) or derived from its model."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

_METHOD_ACTIONS = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}


def required_permissions(request, view) -> list[str] | None:
    """The permissions this request needs, or None when the view declares nothing for a write
    (such requests are refused: fail closed)."""
    declared = getattr(view, "action_permissions", None) or {}
    action = getattr(view, "action", None)
    if action in declared:
        return list(declared[action])
    if request.method in SAFE_METHODS:
        return list(getattr(view, "read_permissions", []))
    if request.method in declared:
        return list(declared[request.method])
    queryset = getattr(view, "queryset", None)
    if queryset is None or request.method not in _METHOD_ACTIONS:
        return None
    meta = queryset.model._meta
    return [f"{meta.app_label}.{_METHOD_ACTIONS[request.method]}_{meta.model_name}"]


class RolePermission(BasePermission):
    message = "Your role does not allow this action."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        needed = required_permissions(request, view)
        if needed is None:
            return False
        return user.has_perms(needed)
