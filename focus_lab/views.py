from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from focus_lab.dashboard import dashboard_sections
from focus_lab.health import health


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, report = health()
    return JsonResponse(report, status=200 if healthy else 503)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard.html", {"sections": dashboard_sections(request.user)})
