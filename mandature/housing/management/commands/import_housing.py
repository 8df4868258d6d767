from mandature.housing.commands import HousingImportCommand
from mandature.housing.importer import import_dgcl


class Command(HousingImportCommand):
    help = (
        "Importe les données logement par commune d'un fichier de critères de répartition des "
        "dotations de la DGCL (logements sociaux, logements TH, personnes couvertes par les "
        "aides au logement, population en QPV). L'année est lue dans le nom du fichier ou "
        "donnée par --year ; les communes fusionnées depuis sont additionnées à leur commune "
        "actuelle."
    )
    example = "mandature import-housing criteres_repartition_2023.csv --year 2023"
    year_help = "année (exercice DGF) des données"

    def importer(self):
        return import_dgcl
