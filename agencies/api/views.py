from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, Throttled, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from integrity_portal.parsers import JSONParser

from ..filtersets import AgencyFilterSet
from ..policy import Policy
from ..selectors import agency_list, staff_list
from ..services.lockout import LoginRefused, account_unlock, login_attempt, login_settled
from ..services.second_factor import code_check, second_factor_enrolled, second_factor_expected
from .serializers import AgencySerializer, StaffSerializer


class AgencyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """机构名录. Anyone may read (the complaint form searches it); the credit office writes."""

    serializer_class = AgencySerializer
    filterset_class = AgencyFilterSet
    permission_classes = [Policy]
    policy = {
        "list": "agency.read",
        "retrieve": "agency.read",
        "create": "agency.write",
        "update": "agency.write",
        "partial_update": "agency.write",
    }

    def get_queryset(self):
        return agency_list()


class StaffViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """工作人员账号. Credit office only."""

    serializer_class = StaffSerializer
    permission_classes = [Policy]
    policy = "staff.manage"

    def get_queryset(self):
        return staff_list(user=self.request.user)

    @action(detail=True, methods=["post"])
    def unlock(self, request, pk=None):
        """Lift a login lockout at once (otherwise it ends by itself after 15 minutes)."""
        account_unlock(actor=request.user, user=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenRequestSerializer(AuthTokenSerializer):
    otp_token = serializers.CharField(
        required=False,
        write_only=True,
        label=_lazy("动态验证码或恢复码"),
        help_text=_lazy(
            "启用动态验证码的账户（STAFF_REQUIRE_TOTP 开启时的信用办人员和超级用户）必填。"
        ),
    )


class TokenView(ObtainAuthToken):
    """``{username, password, otp_token?}`` → ``{"token": ...}``, through the same per-account
    lockout and per-address throttle as the console (``services.lockout``): a locked account
    is a 403, a throttled address a 429, a wrong password a 400. An account that gives a
    second-factor code at login (``services.second_factor``) gives it here too, as
    ``otp_token``: missing or wrong → 400 on that field (a wrong one counts towards the
    lockout); not yet enrolled → 403 (enrol in the console first)."""

    throttle_classes: list = []  # the lockout's address throttle counts failures only
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    serializer_class = TokenRequestSerializer

    def post(self, request, *args, **kwargs):
        data = request.data if isinstance(request.data, dict) else {}
        username, password = data.get("username"), data.get("password")
        if not isinstance(username, str) or not isinstance(password, str):
            return super().post(request, *args, **kwargs)  # DRF's field errors (400)
        try:
            user = login_attempt(request, username=username, password=password, settle=False)
            if user is None or not user.is_active:
                raise ValidationError(
                    {"non_field_errors": [_("无法使用提供的认证信息登录。")]},
                    code="authorization",
                )
            self._second_factor(request, user, data.get("otp_token"))
        except LoginRefused as refused:
            if refused.reason == "throttled":
                raise Throttled() from None
            raise PermissionDenied(_("登录失败次数过多，账户已暂时锁定。")) from None
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    @staticmethod
    def _second_factor(request, user, code) -> None:
        if not second_factor_expected(user):
            login_settled(user)
            return
        if not second_factor_enrolled(user):
            raise PermissionDenied(_("该账户须先在工作台“账户安全”页启用动态验证码。"))
        if not isinstance(code, str) or not code.strip():
            raise ValidationError({"otp_token": [_("请提供动态验证码或恢复码。")]}, code="required")
        if code_check(request, user, code) is None:
            raise ValidationError({"otp_token": [_("验证码不正确或已过期，请重新输入。")]})
