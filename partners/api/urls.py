from django.urls import path, re_path

from . import changes, episode, outcomes, support_requests, views

app_name = "v1"
urlpatterns = [
    path("families/", views.FamilyList.as_view(), name="family-list"),
    path("families/<int:pk>/", views.FamilyDetail.as_view(), name="family-detail"),
    path("families/<int:pk>/evidence/", views.FamilyEvidence.as_view(), name="family-evidence"),
    path("families/<int:pk>/outcomes/", outcomes.FamilyOutcomes.as_view(), name="family-outcomes"),
    path("persons/", views.PersonList.as_view(), name="person-list"),
    path("persons/<int:pk>/", views.PersonDetail.as_view(), name="person-detail"),
    path("evidence/", views.EvidenceSubmit.as_view(), name="evidence-submit"),
    path("evaluate/", views.Evaluate.as_view(), name="evaluate"),
    path("requests/", support_requests.SupportRequestList.as_view(), name="request-list"),
    path("changes/", changes.ChangeFeed.as_view(), name="changes"),
    path("actions/", episode.PlanActionList.as_view(), name="action-list"),
    path("actions/<int:pk>/", episode.PlanActionDetail.as_view(), name="action-detail"),
    path("case-notes/", episode.CaseNoteList.as_view(), name="case-note-list"),
    path(
        "requests/<int:pk>/", support_requests.SupportRequestDetail.as_view(), name="request-detail"
    ),
    # Last: a path ending in / that nothing above takes. (Without the slash, Django first
    # redirects to it, as for every path here.)
    re_path(r"^[\s\S]*/$", views.NoSuchPath.as_view(), name="no-such-path"),
]
