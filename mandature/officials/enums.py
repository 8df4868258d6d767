from django.db import models


class SnapshotKind(models.TextChoices):
    """One kind per RNE file published by the ministry."""

    MAIRES = "maires", "maires"
    CM = "cm", "conseillers municipaux"
    EPCI = "epci", "conseillers communautaires"
    CD = "cd", "conseillers départementaux"
    CR = "cr", "conseillers régionaux"
    CA = "ca", "conseillers d'arrondissement"
    DEP = "dep", "députés"
    SEN = "sen", "sénateurs"
    RPE = "rpe", "représentants au Parlement européen"
    MA = "ma", "membres des assemblées des collectivités à statut particulier"
    CONS = "cons", "conseillers des Français de l'étranger"
    AFE = "afe", "membres de l'Assemblée des Français de l'étranger"


class MandateKind(models.TextChoices):
    MUNICIPAL = "municipal", "conseiller municipal"
    COMMUNAUTAIRE = "communautaire", "conseiller communautaire"
    DEPARTEMENTAL = "departemental", "conseiller départemental"
    REGIONAL = "regional", "conseiller régional"
    ARRONDISSEMENT = "arrondissement", "conseiller d'arrondissement"
    DEPUTE = "depute", "député"
    SENATEUR = "senateur", "sénateur"
    EUROPEEN = "europeen", "représentant au Parlement européen"
    ASSEMBLEE = "assemblee", "membre d'une assemblée de collectivité à statut particulier"
    CONSULAIRE = "consulaire", "conseiller des Français de l'étranger"
    AFE = "afe", "membre de l'Assemblée des Français de l'étranger"


MANDATE_KIND_OF = {
    SnapshotKind.MAIRES: MandateKind.MUNICIPAL,
    SnapshotKind.CM: MandateKind.MUNICIPAL,
    SnapshotKind.EPCI: MandateKind.COMMUNAUTAIRE,
    SnapshotKind.CD: MandateKind.DEPARTEMENTAL,
    SnapshotKind.CR: MandateKind.REGIONAL,
    SnapshotKind.CA: MandateKind.ARRONDISSEMENT,
    SnapshotKind.DEP: MandateKind.DEPUTE,
    SnapshotKind.SEN: MandateKind.SENATEUR,
    SnapshotKind.RPE: MandateKind.EUROPEEN,
    SnapshotKind.MA: MandateKind.ASSEMBLEE,
    SnapshotKind.CONS: MandateKind.CONSULAIRE,
    SnapshotKind.AFE: MandateKind.AFE,
}


class FunctionCode(models.TextChoices):
    NONE = "", "aucune fonction"
    MAIRE = "maire", "maire"
    MAIRE_DELEGUE = "maire-delegue", "maire délégué"
    ADJOINT = "adjoint", "adjoint"
    PRESIDENT = "president", "président"
    VICE_PRESIDENT = "vice-president", "vice-président"
    OTHER = "autre", "autre fonction"


class ChangeType(models.TextChoices):
    FIRST_TIME_MAYOR = "first-time-mayor", "premier mandat de maire"
    NEW_MAYOR = "new-mayor", "nouveau maire"
    RE_ELECTED = "re-elected", "maire réélu"
    DEPARTED = "departed", "départ"
    FUNCTION_CHANGE = "function-change", "changement de fonction"
    NEW_PRESIDENT = "new-president", "nouveau président d'EPCI"


# The functions a segment or a survey's results are cut by: value → (label, RNE file, function
# code or None for every seat of the file)
FUNCTIONS = {
    "maire": ("maires", SnapshotKind.MAIRES, None),
    "president-epci": ("présidents d'EPCI", SnapshotKind.EPCI, FunctionCode.PRESIDENT),
    "adjoint": ("adjoints au maire", SnapshotKind.CM, FunctionCode.ADJOINT),
    "conseiller-municipal": ("conseillers municipaux (tous)", SnapshotKind.CM, None),
    "conseiller-communautaire": ("conseillers communautaires (tous)", SnapshotKind.EPCI, None),
    "conseiller-departemental": ("conseillers départementaux", SnapshotKind.CD, None),
    "conseiller-regional": ("conseillers régionaux", SnapshotKind.CR, None),
    "depute": ("députés", SnapshotKind.DEP, None),
    "senateur": ("sénateurs", SnapshotKind.SEN, None),
}
