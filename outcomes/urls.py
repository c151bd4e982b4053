from django.urls import path

from . import views, views_nightly

urlpatterns = [
    path("families/<int:family_id>/evidence/", views.evidence_list, name="evidence-list"),
    path("families/<int:family_id>/evidence/add/", views.evidence_add, name="evidence-add"),
    path(
        "families/<int:family_id>/evidence/add/<slug:kind>/",
        views.evidence_add_kind,
        name="evidence-add-kind",
    ),
    path("evidence/<int:evidence_id>/correct/", views.evidence_correct, name="evidence-correct"),
    path("programme/runs/", views_nightly.run_list, name="nightly-run-list"),
    path("programme/runs/start/", views_nightly.run_start, name="nightly-run-start"),
    path("programme/runs/<int:run_id>/", views_nightly.run_detail, name="nightly-run-detail"),
    path("outcomes-plan/", views.plan_list, name="plan-list"),
    path("outcomes-plan/<int:version>/", views.plan_detail, name="plan-detail"),
    path("outcomes-plan/<int:version>/copy", views.plan_copy, name="plan-copy"),
    path("outcomes-plan/<int:version>/edit/", views.plan_edit, name="plan-edit"),
    path("outcomes-plan/<int:version>/publish/", views.plan_publish, name="plan-publish"),
]
