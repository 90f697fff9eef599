"""Who is told: the role must be held in the unit itself."""

from casework import services as casework_services
from casework.models import Role, Unit
from workflows.notifications import _unit_members


def test_a_manager_elsewhere_is_not_a_manager_here(staff):
    kokkola = Unit.objects.get(organisation__code="kokkola", code="kotoutumispalvelut")
    kannus = Unit.objects.get(organisation__code="kannus", code="kotoutumistyo")
    # kaisa is a case worker in Kannus; make her a case worker in Kokkola too
    casework_services.membership_grant(
        by=None, user=staff["kaisa"], unit=kokkola, role=Role.CASE_WORKER
    )
    casework_services.membership_grant(by=None, user=staff["kaisa"], unit=kannus, role=Role.MANAGER)
    managers = set(_unit_members(kokkola, roles=[Role.MANAGER]))
    assert managers == {staff["maria"]}
    assert staff["kaisa"] in set(_unit_members(kannus, roles=[Role.MANAGER]))
