from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyKind(models.TextChoices):
    GOVERNMENT = "government", _("人民政府")
    DEPARTMENT = "department", _("政府部门")
    INSTITUTION = "institution", _("事业单位")
    OTHER = "other", _("其他")


class StaffRole(models.TextChoices):
    INTAKE_CLERK = "intake_clerk", _("受理登记员")
    HANDLER = "handler", _("核实办理人员")
    AGENCY_LIAISON = "agency_liaison", _("被投诉主体联络员")
    CREDIT_OFFICER = "credit_officer", _("信用办工作人员")
    AUDITOR = "auditor", _("纪检监察（只读）")


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("地级")
    COUNTY = "county", _("县级")
