"""The yardstick DESIGN section 10 measures the intake against: a bare DRF view doing the same
writes in one transaction (~430/s on the reference machine).

A WSGI application with the product's settings and middleware whose only URL,
``POST /api/v1/complaints/``, is a plain ``ModelSerializer`` + ``APIView`` written the way the
DRF tutorial writes one: validate the contract's fields, then in ``transaction.atomic()`` save
the complaint and create its two events and two receipt rows with ``objects.create``. No
access-code, routing rules, duplicate check, deadline or hash chain: only the same rows.

``benchmarks/intake.py --app bare-drf`` serves it with the same gunicorn and load (``--app
both``: it, then the product, and their ratio), so the two figures come from the same machine
minutes apart; their ratio travels between machines better than either figure does. Never
part of the product (not imported by it, not routed).
"""

import os
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "integrity_portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import transaction  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework import serializers, status  # noqa: E402
from rest_framework.permissions import AllowAny  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

from complaints.models import Complaint, ComplaintEvent, Notification  # noqa: E402
from complaints.services.intake import CONTRACT_FIELDS  # noqa: E402


class BareComplaintSerializer(serializers.ModelSerializer):
    class Meta:
        model = Complaint
        fields = CONTRACT_FIELDS


class BareIntakeView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def post(self, request):
        serializer = BareComplaintSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        now = timezone.now()
        respondent = serializer.validated_data["respondent_agency"]
        with transaction.atomic():
            complaint = serializer.save(
                reference=uuid.uuid4().hex[:20],
                access_code_hash=uuid.uuid4().hex,
                status="routed",
                handling_agency_id=respondent.supervisor_id,
                submitted_at=now,
                stage_started_at=now,
            )
            for seq, action in ((1, "submit"), (2, "route")):
                ComplaintEvent.objects.create(
                    complaint=complaint,
                    seq=seq,
                    action=action,
                    to_status="routed",
                    actor_kind="system",
                    is_public=True,
                    message=f"{action} {complaint.reference}",
                    data={},
                    created_at=now,
                    hash=uuid.uuid4().hex,
                )
            Notification.objects.create(
                complaint=complaint,
                channel="email",
                recipient=complaint.contact_email,
                subject=complaint.reference,
                body=complaint.title,
            )
            Notification.objects.create(
                complaint=complaint,
                channel="sms",
                recipient=complaint.contact_phone,
                body=complaint.title,
            )
        return Response({"reference": complaint.reference}, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("api/v1/complaints/", BareIntakeView.as_view()),
    path("healthz", lambda request: HttpResponse("ok")),  # the benchmark waits for it
]
settings.ROOT_URLCONF = __name__

application = get_wsgi_application()
