"""Each organisation keeps its own client register: the identity code is unique within a
register, no longer across the database (which told one organisation about another's client
and kept a client who moved from being registered again).

Existing records go into the register of the organisation responsible for the client's
latest case (every record has one; a record without a case, which the services never leave,
goes to its registrar's or the municipality's own organisation)."""

import django.db.models.deletion

import casework.hetu
from django.db import migrations, models


def fill_registers(apps, schema_editor):
    Client = apps.get_model("casework", "Client")
    IntegrationCase = apps.get_model("casework", "IntegrationCase")
    Membership = apps.get_model("casework", "Membership")
    Organisation = apps.get_model("casework", "Organisation")
    latest = {}
    for client_id, organisation_id in IntegrationCase.objects.order_by(
        "client_id", "created_at", "pk"
    ).values_list("client_id", "responsible_organisation_id"):
        latest[client_id] = organisation_id  # the last one per client wins
    by_organisation = {}
    for client_id, organisation_id in latest.items():
        by_organisation.setdefault(organisation_id, []).append(client_id)
    for organisation_id, client_ids in by_organisation.items():
        Client.objects.filter(pk__in=client_ids).update(register_id=organisation_id)
    for client in Client.objects.filter(register__isnull=True):
        organisation_id = (
            Membership.objects.filter(
                user_id=client.created_by_id,
                unit__organisation__kind__in=["municipality", "employment_authority"],
            )
            .values_list("unit__organisation_id", flat=True)
            .first()
            if client.created_by_id
            else None
        ) or (
            Organisation.objects.filter(
                kind="municipality", municipalities=client.municipality_id
            )
            .values_list("pk", flat=True)
            .first()
        )
        if organisation_id is None:
            raise RuntimeError(
                f"Client {client.uuid} has no case and no organisation serves its municipality: "
                "give it a register by hand, then migrate again."
            )
        Client.objects.filter(pk=client.pk).update(register_id=organisation_id)


class Migration(migrations.Migration):
    dependencies = [("casework", "0011_young_adults_aftercare")]

    operations = [
        migrations.AlterField(
            model_name="client",
            name="personal_identity_code",
            field=models.CharField(
                blank=True,
                help_text="Optional: many newcomers have none at first.",
                max_length=11,
                null=True,
                validators=[casework.hetu.validate_identity_code],
                verbose_name="personal identity code",
            ),
        ),
        migrations.AddField(
            model_name="client",
            name="register",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="client_records",
                to="casework.organisation",
                verbose_name="client register of",
            ),
        ),
        migrations.AddField(
            model_name="client",
            name="linked_from",
            field=models.ForeignKey(
                blank=True,
                help_text="The record in another organisation's register this one was brought up to date from when the client's case moved here.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="linked_records",
                to="casework.client",
                verbose_name="linked from the record",
            ),
        ),
        migrations.RunPython(fill_registers, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="client",
            name="register",
            field=models.ForeignKey(
                help_text="The organisation whose client register holds this record: the one responsible for the client's case, or where the client was registered.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="client_records",
                to="casework.organisation",
                verbose_name="client register of",
            ),
        ),
        migrations.AddIndex(
            model_name="client",
            index=models.Index(
                fields=["personal_identity_code"], name="casework_cl_persona_55eb38_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="client",
            constraint=models.UniqueConstraint(
                fields=("register", "personal_identity_code"),
                name="client_identity_code_unique_per_register",
                violation_error_code="unique",
                violation_error_message="This person is already in the organisation's client register.",
            ),
        ),
    ]
