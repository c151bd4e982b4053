import factory

from earlyhelp.models import Locality, Organisation, Team, User
from earlyhelp.services import user_access_flags


class LocalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Locality
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"District {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = Organisation.Kind.FAMILY_SUPPORT
    tier = factory.LazyAttribute(lambda o: Organisation.default_tier(o.kind))


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    locality = factory.SubFactory(LocalityFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = "Test"
    last_name = factory.LazyAttribute(lambda u: u.username.title())
    role = "practitioner"
    team = factory.SubFactory(TeamFactory)
    is_staff = factory.LazyAttribute(lambda u: user_access_flags(u.role)["is_staff"])
    is_superuser = factory.LazyAttribute(lambda u: user_access_flags(u.role)["is_superuser"])
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()
