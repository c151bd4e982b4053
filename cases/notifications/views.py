"""A person's notifications: the page, and marking them read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cases.notifications import services as notifications
from cases.notifications.selectors import families_named, notifications_for
from earlyhelp.access import record_listing


@login_required
def notification_list(request):
    mine = notifications_for(request.user)
    page = Paginator(mine, 25).get_page(request.GET.get("page"))
    record_listing(request.user, families_named(page.object_list), action="notifications")
    return render(
        request,
        "cases/notifications.html",
        {"page": page, "unread": mine.filter(read_at__isnull=True).count()},
    )


@login_required
@require_POST
def notifications_read(request):
    count = notifications.notifications_mark_read(user=request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("notification-list")
