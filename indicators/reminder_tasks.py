"""Data request reminders, sent by email once a day (Celery beat, at
``DATA_REQUEST_REMINDER_HOUR``): one ``DATA_REQUEST_REMINDER_DAYS_BEFORE`` days
before a request's due date, and one the day after it is overdue, to the members
of the organization asked (every membership of that organization in that
partnership whose user is active and has an email address).

Each reminder is sent once: a worker claims it with a conditional UPDATE
(``... SET reminded_before_at = now WHERE reminded_before_at IS NULL``) before
sending, so two workers, or the task run twice, never send it twice. A failed
send gives the claim back, so the next run tries again. Requests whose data is in,
and cancelled ones, get no reminders.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import OperationalError
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from partnership.models import Membership

from .data_requests import RequestState, data_request_refresh_status, with_state
from .models import DataRequest, DataRequestStatus

log = logging.getLogger(__name__)

BEFORE = "reminded_before_at"
AFTER = "reminded_after_at"


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def send_data_request_reminders() -> dict[str, int]:
    """The daily run. Returns how many reminders were sent before and after the due
    date, how many requests had nobody to email, and how many sends failed."""
    return data_request_send_reminders(today=timezone.localdate())


def data_request_send_reminders(*, today: date) -> dict[str, int]:
    days_before = settings.DATA_REQUEST_REMINDER_DAYS_BEFORE
    open_requests = DataRequest.objects.filter(status=DataRequestStatus.OPEN)
    data_request_refresh_status(requests=open_requests)
    soon = Q(
        state=RequestState.OPEN,
        due_date__lte=today + timedelta(days=days_before),
        reminded_before_at__isnull=True,
    )
    overdue = Q(state=RequestState.OVERDUE, reminded_after_at__isnull=True)
    candidates = list(
        with_state(open_requests, today=today)
        .filter(soon | overdue)
        .select_related("partnership", "organization", "indicator", "period")
    )
    recipients = _recipients(candidates)
    counts = {"before": 0, "after": 0, "no_recipients": 0, "failed": 0}
    for data_request in candidates:
        which = AFTER if data_request.due_date < today else BEFORE
        emails = recipients.get(data_request.organization_id, [])
        if not emails:
            counts["no_recipients"] += 1
            continue
        if _send_once(data_request, which, emails, today=today):
            counts["before" if which == BEFORE else "after"] += 1
        else:
            counts["failed"] += 1
    log.info("Data request reminders: %s", counts)
    return counts


def _recipients(requests: list[DataRequest]) -> dict[int, list[str]]:
    """The email addresses of each organization's members, in one query."""
    memberships = (
        Membership.objects.filter(
            organization_id__in={r.organization_id for r in requests}, user__is_active=True
        )
        .exclude(user__email="")
        .values_list("organization_id", "user__email")
        .order_by("user__email")
    )
    emails: dict[int, list[str]] = defaultdict(list)
    for organization_id, email in memberships:
        emails[organization_id].append(email)
    return emails


def _send_once(data_request: DataRequest, which: str, emails: list[str], *, today: date) -> bool:
    """Claim the reminder and send it. False when the send failed (the claim is
    given back); True when it was sent, or another worker had already claimed it."""
    claimed_at = timezone.now()
    claimed = DataRequest.objects.filter(
        pk=data_request.pk, status=DataRequestStatus.OPEN, **{f"{which}__isnull": True}
    ).update(**{which: claimed_at})
    if not claimed:
        return True
    subject, body = _message(data_request, overdue=which == AFTER, today=today)
    try:
        send_mass_mail([(subject, body, None, [email]) for email in emails], fail_silently=False)
    except Exception:
        log.exception("Could not send the reminder for data request %s", data_request.pk)
        DataRequest.objects.filter(pk=data_request.pk, **{which: claimed_at}).update(
            **{which: None}
        )
        return False
    return True


def _message(data_request: DataRequest, *, overdue: bool, today: date) -> tuple[str, str]:
    indicator, period = data_request.indicator, data_request.period
    due = date_format(data_request.due_date)
    what = f"{indicator.code} ({indicator.name}) for {period.label}"
    if overdue:
        days = (today - data_request.due_date).days
        subject = f"Overdue: {indicator.code} {period.label} data was due {due}"
        lead = f"The data for {what} was due on {due}, {days} day{'s' * (days != 1)} ago."
    else:
        subject = f"Reminder: {indicator.code} {period.label} data is due {due}"
        lead = f"The data for {what} is due on {due}."
    lines = [
        f"Hello {data_request.organization.name},",
        "",
        lead,
        f"{data_request.partnership.name} asked for it on "
        f"{date_format(timezone.localdate(data_request.requested_at))}.",
    ]
    if data_request.message:
        lines += ["", "Their message:", data_request.message]
    lines += [
        "",
        "Sign in to Collective Impact to enter and submit it; this request is marked "
        "fulfilled as soon as the data is submitted.",
    ]
    return subject, "\n".join(lines)
