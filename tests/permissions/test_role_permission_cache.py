"""What each role may do is kept per process; who holds a role never is. A role's
permissions edited in this process take effect at once."""

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.models import Organisation
from permissions import policy


def _fresh(user):
    policy.forget_cached_permissions(user)
    return user


def test_a_roles_permission_taken_away_is_gone_at_once(staff, settings):
    settings.ROLE_PERMISSIONS_CACHE_SECONDS = 3600
    anna = staff["anna"]
    kokkola = Organisation.objects.get(code="kokkola").pk
    assert policy.can_in_organisation(_fresh(anna), "casework.assess_case", kokkola)
    group = Group.objects.get(name="case_worker")
    group.permissions.remove(Permission.objects.get(codename="assess_case"))
    assert not policy.can_in_organisation(_fresh(anna), "casework.assess_case", kokkola)
    group.permissions.add(Permission.objects.get(codename="assess_case"))
    assert policy.can_in_organisation(_fresh(anna), "casework.assess_case", kokkola)


def test_a_membership_ended_is_gone_at_once(staff, settings):
    settings.ROLE_PERMISSIONS_CACHE_SECONDS = 3600
    anna = staff["anna"]
    kokkola = Organisation.objects.get(code="kokkola").pk
    assert policy.can_in_organisation(_fresh(anna), "casework.assess_case", kokkola)
    anna.memberships.update(is_active=False)
    assert policy.role_permissions(_fresh(anna)) == {}


def test_the_roles_are_read_once_and_the_memberships_every_time(staff, settings):
    settings.ROLE_PERMISSIONS_CACHE_SECONDS = 3600
    policy.clear_role_permission_cache()
    with CaptureQueriesContext(connection) as first:
        policy.role_permissions(_fresh(staff["anna"]))
    with CaptureQueriesContext(connection) as second:
        policy.role_permissions(_fresh(staff["maria"]))
    assert len(first) == 2 and len(second) == 1
    assert "casework_membership" in second[0]["sql"]


def test_without_a_cache_lifetime_every_request_reads_the_roles(staff, settings):
    settings.ROLE_PERMISSIONS_CACHE_SECONDS = 0
    policy.role_permissions(_fresh(staff["anna"]))
    with CaptureQueriesContext(connection) as again:
        policy.role_permissions(_fresh(staff["maria"]))
    assert len(again) == 2
