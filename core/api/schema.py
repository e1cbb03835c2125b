"""OpenAPI post-processing: document the error answers every operation can give, so clients (and the
schema fuzzer) know a 400/401/403/404/503 (and 415 where a body is read) is part of the contract, not a surprise."""

ERROR_SCHEMA = {
    "type": "object",
    "description": "What went wrong: `detail`, or a list of messages per field.",
    "additionalProperties": True,
}
ERRORS = {
    "400": "The input was refused; the body says why (per field).",
    "401": "Not signed in.",
    "403": "Signed in, but your role does not allow this.",
    "404": "No such object, or not one you may see.",
    "503": "The database cannot be reached for a moment (restart, failover); nothing was saved. Retry after "
    "the Retry-After header's seconds.",
}


# A body whose content type the operation does not read (or a multipart body with no readable parts).
UNSUPPORTED = "The request body's media type is not one this operation reads; nothing was saved."


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            errors = dict(ERRORS)
            if "requestBody" in operation:
                errors["415"] = UNSUPPORTED
            for code, description in errors.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                )
    return result
