"""The columns of the files of the RNE (every header the ministry used, folded), and the kind
of file a header means."""

from mandature.core.ingest.formats import Column

from ..enums import SnapshotKind

IGNORED = "ignored"  # the field of the columns known but not kept

# Every column of every RNE file. Columns of field IGNORED are known but not kept
# (professions, nationality, political nuance, the RNE's internal ids, populations).
COLUMNS = (
    Column(
        "dept",
        ("code du departement", "code du departement maire", "code departement epci"),
        "Code du département",
    ),
    Column("commune_dept", ("code departement commune rattachee",)),
    Column(
        "csp",
        ("code de la collectivite a statut particulier",),
        "Code de la collectivité à statut particulier",
    ),
    Column("csp_label", ("libelle de la collectivite a statut particulier",)),
    Column("commune", ("code de la commune", "code insee de la commune"), "Code de la commune"),
    Column("commune_label", ("libelle de la commune", "libelle commune rattachee")),
    Column("last_name", ("nom de l elu",), "Nom de l'élu"),
    Column("first_name", ("prenom de l elu",), "Prénom de l'élu"),
    Column("sex", ("code sexe",), "Code sexe"),
    Column("birth", ("date de naissance",), "Date de naissance"),
    Column("mandate_label", ("libelle de mandat",)),
    Column("mandate_start", ("date de debut du mandat",), "Date de début du mandat"),
    Column("mandate_end", ("date de fin du mandat",)),
    Column("mandate_end_reason", ("motif de fin de mandat",)),
    Column("function", ("libelle de la fonction", "libelle de fonction"), "Libellé de la fonction"),
    Column("function_start", ("date de debut de la fonction",), "Date de début de la fonction"),
    Column("function_end", ("date de fin de la fonction",)),
    Column("function_end_reason", ("motif de fin de fonction",)),
    Column("canton", ("code du canton",), "Code du canton"),
    Column("canton_label", ("libelle du canton",)),
    Column("region", ("code de la region",), "Code de la région"),
    Column("region_label", ("libelle de la region",)),
    Column("section", ("code de la section departementale",), "Code de la section départementale"),
    Column("section_label", ("libelle de la section departementale",)),
    Column("sector", ("libelle du secteur",), "Libellé du secteur"),
    Column(
        "circo",
        ("code de la circonscription legislative",),
        "Code de la circonscription législative",
    ),
    Column("circo_label", ("libelle de la circonscription legislative",)),
    Column(
        "csp_section",
        ("code de la section collectivite a statut particulier",),
        "Code de la section - collectivité à statut particulier",
    ),
    Column("csp_section_label", ("libelle de la section collectivite a statut particulier",)),
    Column(
        "metro_circo",
        ("code de la circonscription metropolitaine",),
        "Code de la circonscription métropolitaine",
    ),
    Column("metro_circo_label", ("libelle de la circonscription metropolitaine",)),
    Column(
        "afe",
        ("code de la circ afe", "code de la circonscription afe"),
        "Code de la circonscription AFE",
    ),
    Column("afe_label", ("libelle la circ afe", "libelle la circonscription afe")),
    Column(
        "consular",
        ("code de la circonscription consulaire",),
        "Code de la circonscription consulaire",
    ),
    Column("consular_label", ("libelle de la circonscription consulaire",)),
    Column("siren", ("n siren",), "N° SIREN"),
    Column("epci_label", ("libelle de l epci",)),
    Column(
        IGNORED,
        (
            "libelle du departement",
            "libelle de departement maires",
            "population de la commune",
            "code de la categorie socio professionnelle",
            "libelle de la categorie socio professionnelle",
            "code profession",
            "libelle de la profession",
            "code nationalite",
            "nuance politique c mun",
            "nuance mandat",
            "n identification d un elu",
        ),
    ),
)
FIELD_OF = {header: column.field for column in COLUMNS for header in column.headers}
PERSON = ("last_name", "first_name", "sex", "birth", "mandate_start")


def detect_kind(fields: set[str], has_label_of_mandate: bool) -> str | None:
    if "siren" in fields:
        return SnapshotKind.EPCI
    if "canton" in fields:
        return SnapshotKind.CD
    if "section" in fields and "region" in fields:
        return SnapshotKind.CR
    if "sector" in fields:
        return SnapshotKind.CA
    if "csp_section" in fields or "metro_circo" in fields:
        return SnapshotKind.MA
    if "circo" in fields:
        return SnapshotKind.DEP
    if "consular" in fields:
        return SnapshotKind.CONS
    if "afe" in fields:
        return SnapshotKind.AFE
    if "commune" in fields:
        if has_label_of_mandate:
            return SnapshotKind.MAIRES  # history export of mayors (« K Tous Maires »)
        if "function" in fields:
            return SnapshotKind.CM
        return SnapshotKind.MAIRES
    if "dept" in fields or "csp" in fields:
        return SnapshotKind.SEN
    if set(PERSON) <= fields:
        return SnapshotKind.RPE
    return None
