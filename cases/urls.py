from django.urls import path

from cases.allocation import views as views_allocation
from cases.closure import views as views_closure
from cases.consent import views as views_consent
from cases.dashboards import views as views_dashboards
from cases.episode import views as views_episode
from cases.front_door import views as views_requests
from cases.front_door import views_open_episode, views_triage
from cases.notifications import views as views_notifications
from cases.people import views

urlpatterns = [
    path(
        "dashboards/caseload/",
        views_dashboards.caseload_dashboard_view,
        name="dashboard-caseload",
    ),
    path("families/", views.family_list, name="family-list"),
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
    path("duplicates/", views.possible_duplicate_list, name="possible-duplicate-list"),
    path(
        "duplicates/<int:check_id>/not-the-same",
        views.possible_duplicate_not_same,
        name="possible-duplicate-not-same",
    ),
    path("break-glass/", views.break_glass, name="break-glass"),
    # The front door: a request, question by question (answers kept in the session).
    path("requests/", views_requests.request_list, name="request-list"),
    path("requests/new/", views_requests.request_start, name="request-start"),
    path(
        "requests/new/about-you/",
        views_requests.request_step,
        {"step": "referrer"},
        name="request-referrer",
    ),
    path(
        "requests/new/reason/",
        views_requests.request_step,
        {"step": "reason"},
        name="request-reason",
    ),
    path("requests/new/people/", views_requests.request_people, name="request-people"),
    path("requests/new/people/add/", views_requests.request_person, name="request-person-add"),
    path(
        "requests/new/people/<int:index>/",
        views_requests.request_person,
        name="request-person-change",
    ),
    path(
        "requests/new/people/<int:index>/remove",
        views_requests.request_person_remove,
        name="request-person-remove",
    ),
    path(
        "requests/new/address/",
        views_requests.request_step,
        {"step": "address"},
        name="request-address",
    ),
    path(
        "requests/new/consent/",
        views_requests.request_step,
        {"step": "consent"},
        name="request-consent",
    ),
    path("requests/new/check/", views_requests.request_check, name="request-check"),
    # The hub: its queue, each request and its decision, allocation.
    path("triage/", views_triage.queue, name="triage-queue"),
    path("triage/<int:request_id>/", views_triage.request_page, name="triage-request"),
    path("triage/<int:request_id>/allocate/", views_triage.allocate, name="triage-allocate"),
    path(
        "requests/<int:request_id>/lead/", views_allocation.name_lead, name="allocation-name-lead"
    ),
    path(
        "families/<int:family_id>/end-without-lead/",
        views_allocation.end_unled,
        name="episode-end-unled",
    ),
    path(
        "triage/<int:request_id>/open-episode/",
        views_open_episode.open_episode,
        name="triage-open-episode",
    ),
    # The episode's work (issue 8).
    path("families/<int:family_id>/team/add/", views_episode.taf_member_add, name="taf-member-add"),
    path(
        "families/<int:family_id>/team/<int:member_id>/leave/",
        views_episode.taf_member_leave,
        name="taf-member-leave",
    ),
    path(
        "families/<int:family_id>/plan/actions/<int:action_id>/",
        views_episode.plan_action_update,
        name="plan-action-update",
    ),
    path(
        "families/<int:family_id>/meetings/add/",
        views_episode.taf_meeting_add,
        name="taf-meeting-add",
    ),
    path(
        "families/<int:family_id>/reviews/add/",
        views_episode.plan_review_add,
        name="plan-review-add",
    ),
    path("families/<int:family_id>/notes/", views_episode.case_note_list, name="case-note-list"),
    path("families/<int:family_id>/notes/add/", views_episode.case_note_add, name="case-note-add"),
    path(
        "families/<int:family_id>/closure/sign-off/",
        views_closure.closure_sign_off,
        name="closure-sign-off",
    ),
    path(
        "families/<int:family_id>/step-up/", views_closure.step_up_request, name="step-up-request"
    ),
    path(
        "step-ups/<int:step_up_id>/decision/",
        views_closure.step_up_decision,
        name="step-up-decision",
    ),
    path(
        "families/<int:family_id>/step-down/",
        views_closure.step_down_request,
        name="step-down-request",
    ),
    path(
        "step-downs/<int:step_down_id>/decision/",
        views_closure.step_down_decision,
        name="step-down-decision",
    ),
    path("step-requests/", views_closure.step_request_list, name="step-request-list"),
    path("families/<int:family_id>/lead/", views_closure.lead_change, name="lead-change"),
    path(
        "families/<int:family_id>/lead/cancel/",
        views_closure.lead_change_cancel,
        name="lead-change-cancel",
    ),
    # Consent after the request (issue 18).
    path("families/<int:family_id>/consent/add/", views_consent.consent_add, name="consent-add"),
    path(
        "families/<int:family_id>/consent/<int:consent_id>/written/",
        views_consent.consent_written,
        name="consent-written",
    ),
    path(
        "families/<int:family_id>/consent/<int:consent_id>/withdraw/",
        views_consent.consent_withdraw,
        name="consent-withdraw",
    ),
    path(
        "families/<int:family_id>/consent/<int:consent_id>/withdrawn/",
        views_consent.consent_withdrawn,
        name="consent-withdrawn",
    ),
    path("notifications/", views_notifications.notification_list, name="notification-list"),
    path("notifications/read", views_notifications.notifications_read, name="notifications-read"),
]
