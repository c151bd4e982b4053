from django.urls import path

from . import views, views_nightly, views_programme

urlpatterns = [
    path("families/<int:family_id>/evidence/", views.evidence_list, name="evidence-list"),
    path("families/<int:family_id>/evidence/add/", views.evidence_add, name="evidence-add"),
    path(
        "families/<int:family_id>/evidence/add/<slug:kind>/",
        views.evidence_add_kind,
        name="evidence-add-kind",
    ),
    path("evidence/<int:evidence_id>/correct/", views.evidence_correct, name="evidence-correct"),
    path("programme/what-if/", views_programme.what_if_page, name="what-if"),
    path("programme/runs/", views_nightly.run_list, name="nightly-run-list"),
    path("programme/runs/start/", views_nightly.run_start, name="nightly-run-start"),
    path("programme/runs/<int:run_id>/", views_nightly.run_detail, name="nightly-run-detail"),
    path("families/<int:family_id>/attach/", views_programme.attach, name="programme-attach"),
    path(
        "families/<int:family_id>/evidence-pack/",
        views_programme.evidence_pack,
        name="evidence-pack",
    ),
    path(
        "families/<int:family_id>/evidence-pack.pdf",
        views_programme.evidence_pack_download,
        name="evidence-pack-pdf",
    ),
    path("claims/", views_programme.batch_list, name="claim-batch-list"),
    path("claims/new/", views_programme.batch_build, name="claim-batch-build"),
    path("claims/<int:batch_id>/", views_programme.batch_detail, name="claim-batch-detail"),
    path(
        "claims/<int:batch_id>/families/<int:family_id>/verdict/",
        views_programme.audit_verdict,
        name="audit-verdict",
    ),
    path("outcomes-plan/", views.plan_list, name="plan-list"),
    path("outcomes-plan/<int:version>/", views.plan_detail, name="plan-detail"),
    path("outcomes-plan/<int:version>/copy", views.plan_copy, name="plan-copy"),
    path("outcomes-plan/<int:version>/edit/", views.plan_edit, name="plan-edit"),
    path("outcomes-plan/<int:version>/publish/", views.plan_publish, name="plan-publish"),
]
