"""API token authentication that reads the person and their permissions in one prepared statement.

DRF's TokenAuthentication reads the token and its user (one ORM query), and the first permission check
then reads the permissions (another). Every labeling request pays both, so here one statement returns the
user's row and their permissions, through their groups and directly, as RoleBackend computes them; the
set is cached on the user object for the request as the backend caches it. Refusals are DRF's own:
an unknown token and an inactive person get the same answers as before.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from core.prepared import Statement

User = get_user_model()
_FIELDS = [field.attname for field in User._meta.concrete_fields]
_USER_PERMS = User.user_permissions.through._meta.db_table
_USER_GROUPS = User.groups.through._meta.db_table

# Superusers hold every permission without a list (User.has_perm answers for them), so none is read.
_SQL = (
    f"SELECT {', '.join(f'u.{name}' for name in _FIELDS)}, "  # noqa: S608 - column names from the model
    "CASE WHEN u.is_superuser THEN NULL ELSE ("
    "  SELECT {agg}(ct.app_label || '.' || p.codename, ',') FROM auth_permission p"
    "  JOIN django_content_type ct ON ct.id = p.content_type_id"
    f"  WHERE p.id IN (SELECT up.permission_id FROM {_USER_PERMS} up WHERE up.user_id = u.id"
    "    UNION SELECT gp.permission_id FROM auth_group_permissions gp"
    f"    JOIN {_USER_GROUPS} ug ON ug.group_id = gp.group_id WHERE ug.user_id = u.id)"
    ") END "
    f"FROM authtoken_token t JOIN {User._meta.db_table} u ON u.id = t.user_id WHERE t.key = %s"
)
TOKEN_USER = Statement(
    "token_user",
    _SQL.replace("{agg}", "string_agg"),
    ["varchar"],
    sqlite_sql=_SQL.replace("{agg}", "group_concat"),
)


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        row = TOKEN_USER.row([key])
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user = User.from_db("default", _FIELDS, row[: len(_FIELDS)])
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if not user.is_superuser:
            perms = row[len(_FIELDS)]
            user._perm_cache = set(perms.split(",")) if perms else set()
        return user, key
