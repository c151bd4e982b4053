from django.urls import path

from . import views

urlpatterns = [
    path("evidence/files/", views.evidence_file_upload, name="evidence-file-upload"),
    path("evidence/files/<int:file_id>/", views.evidence_file_report, name="evidence-file-report"),
    path(
        "evidence/files/<int:file_id>/rejected-rows.csv",
        views.evidence_file_problems,
        name="evidence-file-problems",
    ),
]
