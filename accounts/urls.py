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
]
