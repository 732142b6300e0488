"""The national reference-data editor: a role with no organisation, granted by superusers in the
Django admin, shown on the profile and the API's /me/."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Membership, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_superuser_grants_the_role_in_the_admin(client_for):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    editor = UserFactory(email="editor@usda.example")
    client = client_for(superuser)
    add = reverse("admin:accounts_membership_add")
    assert ("reference_data", "National reference data editor") in client.get(add).context[
        "adminform"
    ].form.fields["role"].choices
    response = client.post(add, {"user": editor.pk, "role": Role.REFERENCE_DATA})
    assert response.status_code == 302, response.context["adminform"].form.errors
    membership = Membership.objects.get(user=editor)
    assert membership.role == Role.REFERENCE_DATA and membership.target is None
    assert str(membership).endswith("National reference data editor (national)")


def test_admin_refuses_the_role_with_an_organisation(client_for, collaborative):
    client = client_for(UserFactory(is_superuser=True, is_staff=True))
    editor = UserFactory()
    response = client.post(
        reverse("admin:accounts_membership_add"),
        {"user": editor.pk, "role": Role.REFERENCE_DATA, "collaborative": collaborative.pk},
    )
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert not Membership.objects.filter(user=editor).exists()


def test_the_database_refuses_the_role_with_an_organisation(district):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=UserFactory(), role=Role.REFERENCE_DATA, district=district)


def test_profile_and_me_show_the_national_role(client_for, api_for, reference_editor):
    html = client_for(reference_editor).get(reverse("profile")).content.decode()
    assert "National reference data editor" in html and "None" not in html
    me = api_for(reference_editor).get("/api/v1/me/").json()
    assert me["memberships"][0]["role"] == "reference_data" and me["memberships"][0]["target"] == "National"
