"""What the API shows of families, persons and evidence, and what it accepts."""

from rest_framework import serializers

from cases.models import Family, FamilyMember, Person
from outcomes.models import Evidence


class MemberSerializer(serializers.ModelSerializer):
    person_id = serializers.IntegerField()
    name = serializers.CharField(source="person.full_name")
    date_of_birth = serializers.DateField(source="person.date_of_birth", allow_null=True)

    class Meta:
        model = FamilyMember
        fields = ["person_id", "name", "date_of_birth", "role", "joined_on", "left_on"]


class FamilySerializer(serializers.ModelSerializer):
    locality = serializers.CharField(source="locality.name", default=None, allow_null=True)
    members = MemberSerializer(source="memberships", many=True)

    class Meta:
        model = Family
        fields = ["id", "reference", "name", "postcode", "locality", "members", "updated_at"]


class PersonSerializer(serializers.ModelSerializer):
    merged_into = serializers.IntegerField(source="merged_into_id", allow_null=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "first_name",
            "middle_names",
            "last_name",
            "date_of_birth",
            "expected_date_of_birth",
            "sex",
            "ethnicity",
            "first_language",
            "send",
            "young_carer",
            "nhs_number",
            "ni_number",
            "upn",
            "postcode",
            "merged_into",
            "updated_at",
        ]


class EvidenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evidence
        fields = [
            "id",
            "family",
            "person",
            "kind",
            "period_start",
            "period_end",
            "values",
            "source",
            "external_id",
            "recorded_on",
            "supersedes",
        ]
