from django.urls import path

from . import views

urlpatterns = [
    path("returns/", views.return_start, name="return-start"),
    path("returns/layouts/", views.layout_list, name="return-layouts"),
    path("returns/layouts/<slug:return_kind>/", views.layout_edit, name="return-layout-edit"),
    path("returns/<slug:return_kind>/<str:as_of>/", views.return_check, name="return-check"),
    path(
        "returns/<slug:return_kind>/<str:as_of>/download",
        views.return_download,
        name="return-download",
    ),
]
