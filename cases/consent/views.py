"""The lead practitioner's consent pages, reached from the family page's consent section.

Each asks the gate for KEEP_CASE, which only the lead relation grants (DOMAIN §1: the lead
keeps the case; a TAF member or another agency reads it): anyone else who may see the family
gets 403, anyone who may not 404, both audited by the gate.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from cases.consent import selectors, services
from cases.consent.forms import ConsentAddForm, WithdrawForm, WrittenReceivedForm
from cases.episode.selectors import open_episode_of
from cases.episode.views import (
    apply_service,
    episode_for,
    form_page,
    no_open_episode,
    posted,
    saved,
)
from cases.gate import family_record_for
from cases.models import Closure, ClosureReason, Consent
from earlyhelp.access import Action

FORM_PAGE = "cases/consent/form.html"


def _consent_for(request, family_id, consent_id) -> Consent:
    return family_record_for(
        request.user,
        Consent.objects.select_related("person"),
        consent_id,
        action=Action.KEEP_CASE,
        family_id=family_id,
        via="family",
    )


def _page(request, family, form, *, title, button, consent=None, intro=None):
    context = {"consent": consent, "agencies": selectors.agencies_of(consent) if consent else ()}
    return form_page(
        request,
        family,
        form,
        title=title,
        button=button,
        intro=intro,
        context=context,
        template=FORM_PAGE,
    )


@login_required
def consent_written(request, family_id, consent_id):
    consent = _consent_for(request, family_id, consent_id)
    family = consent.family
    if consent.kind != Consent.Kind.VERBAL or consent.withdrawn_on:
        messages.error(request, "Only verbal consent that is not withdrawn waits for its form.")
        return redirect(reverse("family-detail", args=[family.pk]) + "#consent")
    form = WrittenReceivedForm(posted(request), consent=consent)
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form,
            lambda: services.consent_written_received(
                consent=consent, received_on=form.cleaned_data["received_on"], by=request.user
            ),
        )
        if done:
            return saved(request, family, f"{consent.person}'s consent is now written.", "#consent")
    return _page(
        request,
        family,
        form,
        title="Record the written consent form",
        button="Record the written form",
        consent=consent,
    )


@login_required
def consent_add(request, family_id):
    family, episode = episode_for(request, family_id, Action.KEEP_CASE)
    if episode is None:
        return no_open_episode(request, family)
    members = selectors.current_members(family)
    form = ConsentAddForm(posted(request), family=family, members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        consent = apply_service(
            form,
            lambda: services.consent_add(
                family=family,
                person_id=data["person"],
                kind=data["kind"],
                given_by=data["given_by"],
                given_on=data["given_on"],
                chase_on=data["chase_on"],
                covers=data["covers"],
                agencies=data["agencies"],
                by=request.user,
            ),
        )
        if consent:
            return saved(request, family, f"{consent.person}'s consent is recorded.", "#consent")
    return _page(
        request,
        family,
        form,
        title="Record consent",
        button="Record consent",
        intro="Consent from a member who has none yet, or from someone agreeing to share with "
        "another agency. Each consent is its own record: withdrawing one leaves the others.",
    )


@login_required
def consent_withdraw(request, family_id, consent_id):
    consent = _consent_for(request, family_id, consent_id)
    family = consent.family
    if consent.withdrawn_on:
        return redirect("consent-withdrawn", family_id=family.pk, consent_id=consent.pk)
    form = WithdrawForm(posted(request), consent=consent)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = apply_service(
            form,
            lambda: services.consent_withdraw(
                consent=consent,
                withdrawn_on=data["withdrawn_on"],
                withdrawn_by=data["withdrawn_by"],
                reason=data["reason"],
                by=request.user,
            ),
        )
        if done:
            return redirect("consent-withdrawn", family_id=family.pk, consent_id=consent.pk)
    return _page(
        request,
        family,
        form,
        title=f"Withdraw {consent.person}'s consent",
        button="Withdraw consent",
        consent=consent,
        intro="The agencies this consent lets share will no longer see the family through it. "
        "You, and practitioners on the family's team, keep what your roles give you.",
    )


@login_required
def consent_withdrawn(request, family_id, consent_id):
    """What a withdrawal ended, and the offer to close the episode for that reason."""
    consent = _consent_for(request, family_id, consent_id)
    family = consent.family
    if consent.withdrawn_on is None:
        return redirect(reverse("family-detail", args=[family.pk]) + "#consent")
    ended, still = selectors.sharing_ended_by(consent)
    episode = open_episode_of(family)
    closing = (
        episode is not None
        and Closure.objects.filter(
            episode=episode, status=Closure.Status.AWAITING_SIGN_OFF
        ).exists()
    )
    return render(
        request,
        "cases/consent/withdrawn.html",
        {
            "family": family,
            "consent": consent,
            "ended": ended,
            "still": still,
            "episode": episode,
            "closing": closing,
            "closure_reason": ClosureReason.WITHDREW,
        },
    )
