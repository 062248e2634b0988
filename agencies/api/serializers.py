import re

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..choices import StaffRole
from ..models import Agency, Region, User
from ..selectors import agencies_managed_by
from ..services import agency_create, agency_update, staff_create, staff_update
from ..validators import validate_uscc


class AgencySerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(
        source="region.code",
        required=False,
        allow_null=True,
        allow_blank=True,
        label=_("行政区划代码"),
    )
    region_name = serializers.CharField(source="region.name", read_only=True, default=None)
    supervisor = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(),
        required=False,
        allow_null=True,
        label=_("上级部门或主管部门"),
    )
    supervisor_name = serializers.CharField(source="supervisor.name", read_only=True, default=None)
    uscc = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=40,
        label=_("统一社会信用代码"),
    )

    class Meta:
        model = Agency
        fields = [
            "id",
            "name",
            "uscc",
            "kind",
            "region_code",
            "region_name",
            "supervisor",
            "supervisor_name",
            "is_active",
        ]

    def validate_uscc(self, value):
        if not value:
            return None
        try:
            code = validate_uscc(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        others = Agency.objects.filter(uscc=code)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError(_("该统一社会信用代码已被其他机构使用。"))
        return code

    def validate_region_code(self, value):
        if not value:
            return None
        if not re.fullmatch(r"[0-9]{6}", value):
            raise serializers.ValidationError(_("行政区划代码应为6位数字。"))
        region = Region.objects.filter(code=value).first()
        if region is None:
            raise serializers.ValidationError(_("未知的行政区划代码：%(code)s。") % {"code": value})
        return region

    def _service_kwargs(self, validated_data):
        data = dict(validated_data)
        if "region" in data:
            data["region"] = data.pop("region")["code"]
        return data

    def create(self, validated_data):
        # A Django ValidationError from the service is a 400 (integrity_portal.api).
        return agency_create(**self._service_kwargs(validated_data))

    def update(self, instance, validated_data):
        # A Django ValidationError from the service is a 400 (integrity_portal.api).
        return agency_update(agency=instance, **self._service_kwargs(validated_data))


class StaffSerializer(serializers.ModelSerializer):
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), label=_("所属机构"))
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    role = serializers.ChoiceField(choices=StaffRole.choices, label=_("角色"))

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "password",
            "agency",
            "agency_name",
            "role",
            "email",
            "first_name",
            "is_active",
            "locked_until",
        ]
        read_only_fields = ["is_active", "locked_until"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and not fields["agency"].read_only:
            # An office gives accounts to the agencies of its region and below only: a county
            # office must not make an account that sees the province (DESIGN section 13).
            fields["agency"].queryset = agencies_managed_by(request.user)
        if self.instance is not None:
            # After creation the username is fixed and the password optional.
            fields["username"].read_only = True
            fields["password"].required = False
            fields["is_active"].read_only = False
        return fields

    def validate(self, attrs):
        if "password" not in attrs:
            return attrs
        candidate = self.instance or User(
            username=attrs.get("username", ""), email=attrs.get("email", "")
        )
        try:
            validate_password(attrs["password"], user=candidate)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": list(exc.messages)}) from None
        return attrs

    def create(self, validated_data):
        # A Django ValidationError from the service is a 400 (integrity_portal.api).
        return staff_create(**validated_data)

    def update(self, instance, validated_data):
        # A Django ValidationError from the service is a 400 (integrity_portal.api).
        return staff_update(user=instance, **validated_data)
