"""Turns domain errors raised by services into clear 400 responses instead of 500s."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            detail = exc.message_dict
        else:
            detail = {"detail": exc.messages if len(exc.messages) > 1 else exc.messages[0]}
        exc = exceptions.ValidationError(detail=detail)
    return drf_exception_handler(exc, context)
