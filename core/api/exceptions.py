"""Turns domain errors raised by services into clear 400 responses instead of 500s, and a database that
cannot be reached (restarting, failing over) into a 503 that says to try again."""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

log = logging.getLogger(__name__)

RETRY_AFTER_S = 5


class DatabaseUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = "The database cannot be reached right now; nothing was saved. Try again in a few seconds."
    default_code = "database_unavailable"


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            detail = exc.message_dict
        else:
            detail = {"detail": exc.messages if len(exc.messages) > 1 else exc.messages[0]}
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, OperationalError):
        # The request's transaction was rolled back with the connection: a retry is safe, and the
        # labeling page retries 5xx answers by itself. Logged, as a 500 would be.
        log.error("database unavailable during %s", context["request"].path, exc_info=exc)
        exc = DatabaseUnavailable()
        response = drf_exception_handler(exc, context)
        response["Retry-After"] = str(RETRY_AFTER_S)
        return response
    return drf_exception_handler(exc, context)
