"""Print the API token of a user, creating it if needed: ``manage.py api_token anna``."""

from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from permissions.audit import audit_record


class Command(BaseCommand):
    help = "Print the API token of a user (created if there is none); --rotate replaces it."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--rotate", action="store_true", help="replace the token (the old one stops working)"
        )

    def handle(self, *args, username, rotate, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not user.is_active:
            raise CommandError(f"{username!r} is not active.")
        if rotate:
            Token.objects.filter(user=user).delete()
        token, created = Token.objects.get_or_create(user=user)
        if created:
            audit_record(
                actor=None, obj=user, action="api.token_issued", data={"rotated": bool(rotate)}
            )
        self.stdout.write(token.key)
