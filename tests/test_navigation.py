"""Each role's daily work comes first in the navigation; setup lists and reference data sit under
"More", and the current page is marked for screen readers."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.models import Membership, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def top_links(client, url: str = "/") -> list[str]:
    html = client.get(url).content.decode()
    nav = html[html.index('id="mainnav"') : html.index('id="more-menu"')]
    return re.findall(r'class="nav-link[^"]*" href="[^"]*"[^>]*>([^<]+)</a>', nav)


@pytest.mark.parametrize(
    ("role", "first"),
    [
        (
            "manager",
            [
                "Dashboard",
                "Orders",
                "Surveys",
                "Deliveries",
                "Entitlement",
                "Contact log",
                "Priority items",
                "Letters",
            ],
        ),
        (
            "viewer",
            [
                "Dashboard",
                "Orders",
                "Surveys",
                "Deliveries",
                "Entitlement",
                "Contact log",
                "Priority items",
                "Letters",
            ],
        ),
        (
            "sda_reviewer",
            [
                "Dashboard",
                "Review queue",
                "Order windows",
                "Surveys",
                "Corrections",
                "Entitlements",
                "People",
            ],
        ),
        (
            "collab_admin",
            [
                "Dashboard",
                "Entitlements",
                "Letters",
                "Districts",
                "Partners",
                "Suppliers",
                "Priority items",
                "People",
            ],
        ),
        (
            "partner_user",
            [
                "Dashboard",
                "Suppliers",
                "Contact log",
                "Districts",
                "Partners",
                "Partnerships",
                "Priority items",
                "Letters",
            ],
        ),
    ],
)
def test_daily_work_comes_first(client_for, request, role, first):
    assert top_links(client_for(request.getfixturevalue(role))) == first


def test_reference_editors_see_reference_data_first(client_for):
    editor = UserFactory(email="ref@example.org")
    Membership.objects.create(user=editor, role=Role.REFERENCE_DATA)
    assert top_links(client_for(editor)) == ["Dashboard", "Per-meal values", "Available list"]


def test_setup_lists_are_under_more_and_not_repeated(client_for, manager):
    html = client_for(manager).get("/").content.decode()
    more = html[html.index('aria-labelledby="more-menu"') :]
    more = more[: more.index("</ul>")]
    assert reverse("districts:site-list") in more and reverse("usda_foods:per-meal-value-list") in more
    assert reverse("usda_foods:order-list") not in more  # already a top-level link
    assert reverse("usda_foods:order-review-queue") not in more  # not a reviewer


def test_the_current_page_is_marked(client_for, manager):
    html = client_for(manager).get(reverse("usda_foods:order-list")).content.decode()
    assert (
        f'class="nav-link active" href="{reverse("usda_foods:order-list")}" aria-current="page">Orders'
        in html
    )
