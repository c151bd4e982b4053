from django.urls import path

from . import views

urlpatterns = [
    path("reports/", views.report_index, name="report-index"),
    path("reports/<slug:slug>/", views.report_detail, name="report-detail"),
]
