import getpass
import os

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from mandature.core.commands import DataError, MandatureCommand
from mandature.movement.accounts import create_account, union
from mandature.movement.enums import Role
from mandature.movement.seed import seed_organisations


class Command(MandatureCommand):
    help = (
        "Crée un administrateur national (membre de l'Union sociale pour l'habitat). Le mot de "
        "passe est demandé (ou lu dans MANDATURE_ADMIN_PASSWORD) ; à la première connexion, "
        "l'administrateur configure la double authentification."
    )
    example = (
        "mandature create-admin --email prenom.nom@union-habitat.org --nom Nom --prenom Prénom"
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--nom", default="")
        parser.add_argument("--prenom", default="")

    def handle(self, *args, email, nom, prenom, **options):
        try:
            validate_email(email)
        except ValidationError:
            raise DataError(f"--email : « {email} » n'est pas une adresse valide") from None
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise DataError(f"--email : un compte existe déjà pour {email}")
        password = os.environ.get("MANDATURE_ADMIN_PASSWORD")
        if not password:
            try:
                password = getpass.getpass("Mot de passe : ")
            except EOFError:  # no terminal to type it on (a script, a pipe)
                raise DataError(
                    "mot de passe : tapez-le au clavier, ou donnez-le par la variable "
                    "MANDATURE_ADMIN_PASSWORD"
                ) from None
        if len(password) < 10:
            raise DataError("mot de passe trop court (10 caractères au moins)")
        seed_organisations()
        create_account(email, prenom, nom, union(), Role.ADMIN, password=password)
        self.summary(f"Administrateur national créé : {email}")
