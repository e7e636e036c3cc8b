"""The feeds' API describes itself: its OpenAPI document, and a page that reads it out.
Both are public (they hold no data, only the API's shape), answer GET only, and the page
is rendered on the server: no script, nothing loaded from elsewhere."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .openapi import docs_context, openapi_document


@require_safe
def openapi_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi_document(), json_dumps_params={"ensure_ascii": False})


@require_safe
def api_docs(request: HttpRequest) -> HttpResponse:
    return render(request, "api/docs.html", docs_context())
