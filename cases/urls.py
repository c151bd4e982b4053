from django.urls import path

from . import views

urlpatterns = [
    path("families/", views.family_list, name="family-list"),
    path("families/<int:family_id>/", views.family_detail, name="family-detail"),
    path("people/", views.person_list, name="person-list"),
    path("families/<int:family_id>/seen-by/", views.family_seen_by, name="family-seen-by"),
    path("families/<int:family_id>/history/", views.family_history, name="family-history"),
    path("families/<int:family_id>/members/add/", views.member_add, name="member-add"),
    path("people/<int:person_id>/", views.person_detail, name="person-detail"),
    path("people/<int:person_id>/change/", views.person_edit, name="person-edit"),
    path("people/<int:person_id>/addresses/add/", views.address_add, name="address-add"),
    path("people/<int:person_id>/history/", views.person_history, name="person-history"),
    path("people/<int:person_id>/duplicates/", views.person_duplicates, name="person-duplicates"),
    path(
        "people/<int:person_id>/merge/<int:duplicate_id>/",
        views.person_merge_confirm,
        name="person-merge",
    ),
    path("merges/<int:merge_id>/unmerge", views.person_unmerge, name="person-unmerge"),
    path("break-glass/", views.break_glass, name="break-glass"),
]
