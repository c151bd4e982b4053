from django.urls import path

from . import views, views_nightly, views_programme, views_years

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
    path("programme/years/", views_years.year_list, name="programme-year-list"),
    path("programme/years/add/", views_years.year_add, name="programme-year-add"),
    path("programme/years/<int:starts_in>/", views_years.year_detail, name="programme-year-detail"),
    path(
        "programme/years/<int:starts_in>/change/",
        views_years.year_change,
        name="programme-year-change",
    ),
    path(
        "programme/years/<int:starts_in>/windows/add/",
        views_years.window_edit,
        name="programme-window-add",
    ),
    path(
        "programme/years/<int:starts_in>/windows/<int:window_id>/",
        views_years.window_edit,
        name="programme-window-change",
    ),
    path(
        "programme/years/<int:starts_in>/funding/add/",
        views_years.funding_edit,
        name="programme-funding-add",
    ),
    path(
        "programme/years/<int:starts_in>/funding/<int:line_id>/",
        views_years.funding_edit,
        name="programme-funding-change",
    ),
    path(
        "programme/years/<int:starts_in>/<slug:part>/<int:part_id>/remove/",
        views_years.year_part_remove,
        name="programme-year-part-remove",
    ),
    path("programme/school-terms/", views_years.term_list, name="school-term-list"),
    path("programme/school-terms/add/", views_years.term_edit, name="school-term-add"),
    path("programme/school-terms/<int:term_id>/", views_years.term_edit, name="school-term-change"),
    path("outcomes-plan/", views.plan_list, name="plan-list"),
    path("outcomes-plan/<int:version>/", views.plan_detail, name="plan-detail"),
    path("outcomes-plan/<int:version>/copy", views.plan_copy, name="plan-copy"),
    path("outcomes-plan/<int:version>/edit/", views.plan_edit, name="plan-edit"),
    path("outcomes-plan/<int:version>/publish/", views.plan_publish, name="plan-publish"),
]
