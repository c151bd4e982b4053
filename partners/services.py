"""Writes for partner API clients: create one (its secret shown once), revoke one."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application

from earlyhelp.models import Organisation, Role, Team
from earlyhelp.services import user_create

from .models import ApiClient
from .scopes import SCOPES

SYSTEMS_TEAM = "Partner systems"


@dataclass(frozen=True)
class NewClient:
    client: ApiClient
    client_id: str
    client_secret: str  # shown once: only its hash is kept


@transaction.atomic
def api_client_create(
    *, organisation: Organisation, name: str, scopes: list[str], requests_per_minute: int = 120
) -> NewClient:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ValidationError(
            f"Unknown scope {', '.join(unknown)}: choose from {', '.join(SCOPES)}"
        )
    if not scopes:
        raise ValidationError("Give the client at least one scope")
    if ApiClient.objects.filter(organisation=organisation, name=name).exists():
        raise ValidationError(f"{organisation} already has a client called {name}")
    team, _ = Team.objects.get_or_create(organisation=organisation, name=SYSTEMS_TEAM)
    user = user_create(
        username=f"api-{slugify(organisation.name)[:60]}-{slugify(name)[:60]}",
        email="",
        role=Role.PRACTITIONER,
        team=team,
        first_name=name[:150],
        last_name="(partner system)",
    )
    secret = generate_client_secret()
    application = Application.objects.create(
        name=f"{organisation}: {name}"[:255],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,
        user=user,
    )
    client = ApiClient.objects.create(
        organisation=organisation,
        name=name,
        scopes=sorted(set(scopes)),
        user=user,
        application=application,
        requests_per_minute=requests_per_minute,
    )
    return NewClient(client=client, client_id=application.client_id, client_secret=secret)


@transaction.atomic
def api_client_revoke(*, client: ApiClient) -> int:
    """No new tokens, and every token it holds stops working now. Returns how many ended."""
    client.is_active = False
    client.save(update_fields=["is_active"])
    ended, _ = AccessToken.objects.filter(application=client.application).delete()
    return ended
