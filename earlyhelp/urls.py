from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from oauth2_provider import views as oauth_views

from . import health, manage_views, views

handler400 = "earlyhelp.views.bad_request"
handler403 = "earlyhelp.views.permission_denied"
handler404 = "earlyhelp.views.page_not_found"
handler500 = "earlyhelp.views.server_error"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("account/", views.account, name="account"),
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", views.SignOutView.as_view(), name="sign-out"),
    path("signed-out/", views.signed_out, name="signed-out"),
    path("session/status", views.session_status, name="session-status"),
    path("session/extend", views.session_extend, name="session-extend"),
    path("session/sign-in", views.session_sign_in, name="session-sign-in"),
    path("two-factor/set-up/", views.two_factor_setup, name="two-factor-setup"),
    path("two-factor/", views.two_factor_verify, name="two-factor-verify"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="registration/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("manage/", manage_views.index, name="manage"),
    path("manage/users/", manage_views.user_list, name="manage-user-list"),
    path("manage/users/add/", manage_views.user_edit, name="manage-user-add"),
    path("manage/users/<int:pk>/", manage_views.user_edit, name="manage-user-edit"),
    path(
        "manage/users/<int:pk>/deactivate",
        manage_views.user_deactivate,
        name="manage-user-deactivate",
    ),
    path(
        "manage/users/<int:pk>/reactivate",
        manage_views.user_reactivate,
        name="manage-user-reactivate",
    ),
    path(
        "manage/users/<int:pk>/reset-two-factor",
        manage_views.user_reset_two_factor,
        name="manage-user-reset-two-factor",
    ),
    path(
        "manage/service-settings/",
        manage_views.service_settings,
        name="manage-service-settings",
    ),
    path("manage/<slug:slug>/", manage_views.section_list, name="manage-list"),
    path("manage/<slug:slug>/add/", manage_views.section_edit, name="manage-add"),
    path("manage/<slug:slug>/<int:pk>/", manage_views.section_edit, name="manage-edit"),
    path("", include("workspace.urls")),
    path("", include("cases.urls")),
    path("", include("assessments.urls")),
    path("", include("outcomes.urls")),
    path("", include("partners.urls")),
    path("", include("reports.urls")),
    path("", include("returns.urls")),
    path("api/v1/", include("partners.api.urls", namespace="v1")),
    path("api/oauth/token/", oauth_views.TokenView.as_view(), name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(api_version="v1"), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="partners/api_docs.html"
        ),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
]
