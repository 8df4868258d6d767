from mandature.housing.commands import HousingImportCommand
from mandature.housing.importer import import_sru


class Command(HousingImportCommand):
    help = (
        "Importe un inventaire SRU officiel (« transparence SRU » : une ligne par commune, "
        "code INSEE, logements sociaux, résidences principales, taux, taux légal, carence…). "
        "Ses chiffres remplacent les estimations de Mandature pour ces communes."
    )
    example = "mandature import-sru inventaire-sru-2024.csv --year 2024"
    year_help = "année de l'inventaire (au 1er janvier)"
    what = "Inventaire SRU"

    def importer(self):
        return import_sru
