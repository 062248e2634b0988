import factory
from stdnum.cn import uscc as stdnum_uscc

from agencies.choices import AgencyKind, StaffRole
from agencies.models import Agency, User

# Registration-authority "1" (机构编制) + kind "1" (机关), Hangzhou Xihu district 330106.
_USCC_PREFIX = "11330106"


def make_uscc(n: int, prefix: str = _USCC_PREFIX) -> str:
    """A valid USCC (correct check character) unique for ``n``."""
    body = f"{prefix}{n:09d}"
    return body + stdnum_uscc.calc_check_digit(body)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"测试机构{n}")
    uscc = factory.Sequence(lambda n: make_uscc(n))
    kind = AgencyKind.DEPARTMENT
    region_id = "330106"
    supervisor = None
    is_active = True


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    agency = factory.SubFactory(AgencyFactory)
    role = StaffRole.HANDLER
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery-9")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
