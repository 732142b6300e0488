from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    memberships = request.user.memberships.select_related(
        "district", "partner", "state_agency", "collaborative"
    )
    token = Token.objects.filter(user=request.user).first()
    return render(request, "accounts/profile.html", {"memberships": memberships, "token": token})


@login_required
@require_POST
def token_regenerate(request: HttpRequest) -> HttpResponse:
    Token.objects.filter(user=request.user).delete()
    Token.objects.create(user=request.user)
    messages.success(request, "A new API token was created; the old one no longer works.")
    return redirect("profile")
