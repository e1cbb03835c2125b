"""Django REST framework and the OpenAPI schema: set once here, so API views only declare things."""

REST_FRAMEWORK = {
    # Token first: a request without credentials, or with a bad token, gets 401 with a WWW-Authenticate
    # challenge (as the schema says); session authentication has no challenge, so DRF answered 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.RolePermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": "10/min"},
}

SPECTACULAR_SETTINGS = {
    "TITLE": "ClipCat API",
    "DESCRIPTION": (
        "The category system of a video platform: taxonomies, labeling standards, releases, clips, "
        "annotation and the classifier in the loop. Every action of the web pages is here too."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.add_error_responses",
    ],
    # Several models have a `status` or `kind`: give each choice set its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "CategoryStatusEnum": "taxonomy.choices.CategoryStatus",
        "MappingActionEnum": "taxonomy.choices.MappingAction",
        "ClipStatusEnum": "annotation.choices.ClipStatus",
        "TaskStatusEnum": "annotation.choices.TaskStatus",
        "AssignmentStatusEnum": "annotation.choices.AssignmentStatus",
        "ProgramKindEnum": "annotation.choices.ProgramKind",
        "LabelKindEnum": "annotation.choices.LabelKind",
        "ModelStatusEnum": "classifier.choices.ModelStatus",
        "RunStatusEnum": "classifier.choices.RunStatus",
        "ReviewDecisionEnum": "annotation.choices.ReviewDecision",
        "SuggestionDecisionEnum": "classifier.choices.SuggestionDecision",
    },
}
