"""The client's municipality of residence on each of their cases (issue 16): added empty,
filled from the clients, then required and indexed with the first contact."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_from_clients(apps, schema_editor):
    IntegrationCase = apps.get_model("casework", "IntegrationCase")
    Client = apps.get_model("casework", "Client")
    IntegrationCase.objects.update(
        municipality_id=Subquery(
            Client.objects.filter(pk=OuterRef("client_id")).values("municipality_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0013_merged_choices_and_name_checks"),
    ]

    operations = [
        migrations.AddField(
            model_name="integrationcase",
            name="municipality",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to="casework.municipality",
                verbose_name="municipality of residence",
            ),
        ),
        migrations.RunPython(copy_from_clients, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="integrationcase",
            name="municipality",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to="casework.municipality",
                verbose_name="municipality of residence",
            ),
        ),
        migrations.AddIndex(
            model_name="integrationcase",
            index=models.Index(
                fields=["municipality", "contacted_on"], name="casework_in_municip_bafb6f_idx"
            ),
        ),
    ]
