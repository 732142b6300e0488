from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views
from accounts.forms import EmailAuthenticationForm, QueuedPasswordResetForm

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm), name="login"),
    path(
        "password_reset/",
        auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm),
        name="password_reset",
    ),  # fmt: skip
    path("", include("django.contrib.auth.urls")),
    path("profile/", views.profile, name="profile"),
    path("profile/token/", views.token_regenerate, name="token-regenerate"),
    path("people/", views.PeopleList.as_view(), name="people"),
    path("people/invite/", views.InvitationCreate.as_view(), name="people-invite"),
    path(
        "people/invitations/<int:pk>/resend/",
        views.InvitationResend.as_view(),
        name="people-invitation-resend",
    ),
    path(
        "people/invitations/<int:pk>/revoke/",
        views.InvitationRevoke.as_view(),
        name="people-invitation-revoke",
    ),
    path("people/memberships/<int:pk>/", views.MembershipUpdate.as_view(), name="people-membership-update"),
    path("people/memberships/<int:pk>/end/", views.MembershipEnd.as_view(), name="people-membership-end"),
    path("invitations/<str:token>/", views.InvitationAccept.as_view(), name="invitation-accept"),
]
