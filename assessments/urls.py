from django.urls import path

from . import views

urlpatterns = [
    path("families/<int:family_id>/assessment/", views.assessment, name="assessment"),
    path(
        "families/<int:family_id>/assessment/autosave",
        views.assessment_autosave,
        name="assessment-autosave",
    ),
    path(
        "families/<int:family_id>/assessment/sign-off/",
        views.assessment_sign_off,
        name="assessment-sign-off",
    ),
    path(
        "families/<int:family_id>/assessment/print/",
        views.assessment_print,
        name="assessment-print",
    ),
    path(
        "families/<int:family_id>/scores/<slug:tool>/add/",
        views.tool_score_add,
        name="tool-score-add",
    ),
]
