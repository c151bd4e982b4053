from django.urls import path

from . import reallocate, views, views_home

urlpatterns = [
    path("", views_home.home, name="home"),
    path("team/<int:user_id>/reallocate/", reallocate.team_reallocate, name="team-reallocate"),
    path("families/<int:family_id>/", views.family_detail, name="family-detail"),
    path(
        "families/<int:family_id>/plan/actions/add/",
        views.plan_action_add,
        name="plan-action-add",
    ),
    path("families/<int:family_id>/closure/", views.closure_request, name="closure-request"),
]
