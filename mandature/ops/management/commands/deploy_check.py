import io
import os
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from mandature.core.commands import MandatureCommand
from mandature.core.health import health
from mandature.officials.models import Snapshot
from mandature.relations.watch import check_line
from mandature.territories.models import Commune


class Command(MandatureCommand):
    help = (
        "Vérifie qu'une installation est prête pour la production (`mandature check`) : les "
        "contrôles de déploiement de Django (check --deploy) et ceux de Mandature (clé secrète, "
        "DEBUG, base joignable et migrée, travailleur vivant, courriel, adresse du site, "
        "fichiers statiques, données nationales, dernière synchronisation des élus). Code de "
        "sortie 1 et la liste de ce qui ne va pas si un contrôle échoue."
    )
    example = "mandature deploy-check   (ou simplement : mandature check)"

    def handle(self, *args, **options):
        problems, fine = [], []
        for ok, text in self.checks():
            (fine if ok else problems).append(text)
        for text in fine:
            self.stdout.write(f"  ok  {text}")
        for text in problems:
            self.stdout.write(f"  ✗   {text}")
        if problems:
            raise CommandError(
                f"{len(problems)} point(s) à corriger avant la production", returncode=1
            )
        self.summary("Prêt pour la production : tous les contrôles sont passés")

    def checks(self):
        yield from self._django()
        key_from_file = not os.environ.get("SECRET_KEY")
        yield (
            not key_from_file and len(settings.SECRET_KEY) >= 50,
            "SECRET_KEY donnée par l'environnement (50 caractères au moins)"
            if not key_from_file
            else "SECRET_KEY n'est pas donnée par l'environnement (clé de développement de var/)",
        )
        yield not settings.DEBUG, "DEBUG désactivé" if not settings.DEBUG else "DEBUG est activé"
        yield self._database()
        yield self._migrations()
        yield self._worker()
        yield self._email()
        site = settings.SITE_URL
        local = any(h in site for h in ("127.0.0.1", "localhost"))
        yield (
            site.startswith("https://") and not local,
            f"SITE_URL : {site}"
            if site.startswith("https://") and not local
            else f"SITE_URL ({site}) doit être l'adresse publique en https:// "
            "(les liens des courriels)",
        )
        yield self._static()
        yield self._data()
        yield self._sync()

    def _django(self):
        """One line per problem Django's deployment checks find (their id and first sentence)."""
        out = io.StringIO()
        try:
            call_command("check", deploy=True, fail_level="WARNING", stdout=out, stderr=out)
        except SystemCheckError as error:
            found = False
            for line in str(error).splitlines():
                if line.startswith("?: (") or ": (" in line[:40]:
                    found = True
                    ident, _, text = line.partition(") ")
                    yield False, f"Django {ident.split('(')[-1]} : {text.split('. ')[0]}"
            if not found:
                yield False, f"contrôles de déploiement de Django : {error}"
            return
        yield True, "contrôles de déploiement de Django (check --deploy)"

    def _database(self):
        try:
            connection.ensure_connection()
        except Exception as error:
            return False, f"base de données injoignable : {error.__class__.__name__}"
        return True, f"base de données joignable ({connection.vendor})"

    def _migrations(self):
        try:
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except Exception as error:
            return False, f"migrations illisibles : {error.__class__.__name__}"
        if plan:
            return False, f"{len(plan)} migration(s) à appliquer : mandature migrate"
        return True, "base à jour (migrations appliquées)"

    def _worker(self):
        try:
            worker = health()["worker"]
        except Exception as error:
            return False, f"travailleur : état illisible ({error.__class__.__name__})"
        if worker["ok"]:
            return True, f"travailleur vivant ({worker['alive']}, vu le {worker['last_seen']})"
        seen = f" (dernier signe : {worker['last_seen']})" if worker["last_seen"] else ""
        return False, f"aucun travailleur vivant{seen} : lancer `mandature worker` (systemd)"

    def _email(self):
        backend = settings.EMAIL_BACKEND.rsplit(".", 2)[-2]
        if backend in ("console", "locmem", "filebased", "dummy"):
            return False, f"courriel non configuré (EMAIL_URL : envoi « {backend} »)"
        sender = settings.DEFAULT_FROM_EMAIL
        if "localhost" in sender:
            return False, f"DEFAULT_FROM_EMAIL ({sender}) doit être une adresse du domaine"
        return True, f"courriel configuré ({backend}, expéditeur {sender})"

    def _static(self):
        manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
        if not settings.DEBUG and not manifest.exists():
            return False, "fichiers statiques non rassemblés : mandature collectstatic"
        return True, "fichiers statiques rassemblés"

    def _data(self):
        try:
            communes = Commune.objects.filter(is_current=True).count()
            snapshots = Snapshot.objects.count()
        except Exception:
            return False, "données nationales illisibles"
        if not communes or not snapshots:
            return False, "données nationales absentes : mandature load-data"
        return True, f"données nationales chargées ({communes} communes, {snapshots} fichiers RNE)"

    def _sync(self):
        try:
            return check_line()
        except Exception as error:
            return False, f"synchronisation des élus : état illisible ({error.__class__.__name__})"
