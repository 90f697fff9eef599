"""Roles are groups named after ``casework.models.Role`` values; the fixture
``fixtures/roles.json`` maps each to its permissions by natural key."""

from casework.models import Role

ROLE_GROUPS = {role.value: role.value for role in Role}

# The wellbeing-area worker's permissions on one case, granted on invitation and revoked
# when their part ends (``permissions.grants``).
WELLBEING_OBJECT_PERMISSIONS = ("casework.contribute_case",)
