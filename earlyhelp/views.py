"""Pages about the signed-in person: home, sign-in and out, two-factor, the session."""

import time

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from .forms import NewPasswordForm, ResetRequestForm, SignInForm, TwoFactorCodeForm
from .middleware import (
    LAST_ACTIVITY,
    allowed_before_two_factor,
    keeps_session_idle,
    record_activity,
    seconds_remaining,
    signs_in,
)


@login_required
def account(request):
    return render(request, "account.html", {"sessions": request.user.sessions.all()})


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "registration/sign_in.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["timed_out"] = self.request.GET.get("reason") == "timeout"
        return context


class SignOutView(auth_views.LogoutView):
    next_page = reverse_lazy("sign-in")


SignOutView = allowed_before_two_factor(SignOutView)


@require_GET
@allowed_before_two_factor
def signed_out(request):
    """Where the timeout dialog sends the browser when time runs out."""
    if request.user.is_authenticated:
        logout(request)
    timed_out = request.GET.get("reason") == "timeout"
    return render(request, "registration/signed_out.html", {"timed_out": timed_out})


@keeps_session_idle
@allowed_before_two_factor
@require_GET
def session_status(request):
    """How long until the idle timeout; asking does not count as activity."""
    if not request.user.is_authenticated:
        return JsonResponse({"seconds_remaining": 0, "signed_in": False}, status=401)
    return JsonResponse({"seconds_remaining": seconds_remaining(request), "signed_in": True})


@allowed_before_two_factor
@require_POST
def session_extend(request):
    """ "Stay signed in": the request itself is activity, so the full timeout starts again."""
    if not request.user.is_authenticated:
        return JsonResponse({"seconds_remaining": 0, "signed_in": False}, status=401)
    record_activity(request)  # whenever it was last recorded: the dialog's promise is exact
    return JsonResponse({"seconds_remaining": settings.IDLE_TIMEOUT_SECONDS, "signed_in": True})


@signs_in
@allowed_before_two_factor
@require_POST
def session_sign_in(request):
    """Sign in again in place, after the idle timeout, without leaving the page (JSON).

    Pages that keep unsent work (the assessment) show a sign-in dialog instead
    of leaving for the signed-out page; it posts here, and the work is then
    saved. The same lockout (django-axes) and second factor apply as on the
    sign-in page. The CSRF token changes at sign-in, so the new one is returned.
    """
    form = SignInForm(request, data=request.POST)
    if not form.is_valid():
        return JsonResponse(
            {"signed_in": False, "errors": _errors(form)},
            status=400,
        )
    user = form.get_user()
    device = None
    if user.needs_two_factor:
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
        code_form = TwoFactorCodeForm(request.POST, devices=devices)
        if not devices.exists():
            return JsonResponse(
                {"signed_in": False, "errors": ["Set up two-factor sign-in on the sign-in page"]},
                status=400,
            )
        if not code_form.is_valid():
            return JsonResponse({"signed_in": False, "errors": _errors(code_form)}, status=400)
        device = code_form.device
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if device is not None:
        otp_login(request, device)
    request.session[LAST_ACTIVITY] = time.time()
    return JsonResponse(
        {
            "signed_in": True,
            "seconds_remaining": settings.IDLE_TIMEOUT_SECONDS,
            "csrf_token": get_token(request),
        }
    )


def _errors(form) -> list[str]:
    return [str(error) for errors in form.errors.values() for error in errors]


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return str(settings.LOGIN_REDIRECT_URL)


def _two_factor_user(request):
    if not request.user.needs_two_factor:
        raise PermissionDenied("Two-factor sign-in is not part of your role.")
    return request.user


@login_required
@allowed_before_two_factor
def two_factor_setup(request):
    """First sign-in of a manager or administrator: pair an authenticator app."""
    user = _two_factor_user(request)
    if user_has_device(user):
        return redirect("two-factor-verify")
    # One unconfirmed device per user, kept until it is confirmed.
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "Authenticator app"}
    )
    form = TwoFactorCodeForm(request.POST or None, devices=[device])
    if request.method == "POST" and form.is_valid():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
        messages.success(request, "Two-factor sign-in is set up.")
        return redirect(_next_url(request))
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, title="QR code")
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": qr_svg,
            "secret": _spaced_base32(device),
            "next": _next_url(request),
        },
        status=400 if form.errors else 200,
    )


@login_required
@allowed_before_two_factor
def two_factor_verify(request):
    user = _two_factor_user(request)
    if not user_has_device(user):
        return redirect("two-factor-setup")
    devices = TOTPDevice.objects.filter(user=user, confirmed=True)
    form = TwoFactorCodeForm(request.POST or None, devices=devices)
    if request.method == "POST" and form.is_valid():
        otp_login(request, form.device)
        return redirect(_next_url(request))
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": _next_url(request)},
        status=400 if form.errors else 200,
    )


def _spaced_base32(device) -> str:
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ResetRequestForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    extra_email_context = {"service_name": settings.SERVICE_NAME}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    template_name = "registration/password_reset_confirm.html"


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors here: the error may have come from one of them.
    from django.http import HttpResponseServerError
    from django.template import loader

    template = loader.get_template("500.html")
    return HttpResponseServerError(
        template.render(
            {"council_name": settings.COUNCIL_NAME, "service_name": settings.SERVICE_NAME}
        )
    )
