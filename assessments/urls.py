from django.urls import path

from . import views, views_panel, views_work

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
    path(
        "families/<int:family_id>/work-conversations/add/",
        views_work.work_conversation_add,
        name="work-conversation-add",
    ),
    path(
        "families/<int:family_id>/work-conversations/<int:conversation_id>/",
        views_work.work_conversation,
        name="work-conversation",
    ),
    path("employment-panel/", views_panel.employment_panel_list, name="employment-panel"),
    path(
        "employment-panel/<int:referral_id>/",
        views_panel.employment_panel_decide,
        name="employment-panel-decide",
    ),
    path(
        "dashboards/employment-panel/",
        views_panel.employment_panel_dashboard,
        name="dashboard-employment-panel",
    ),
]
