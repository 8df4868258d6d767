"""Pieces of RNE files shared by the tests."""

# The header of the current mayors file (elus-maires-mai.csv).
HEADER = (
    "Code du département;Libellé du département;Code de la collectivité à statut particulier;"
    "Libellé de la collectivité à statut particulier;Code de la commune;Libellé de la commune;"
    "Nom de l'élu;Prénom de l'élu;Code sexe;Date de naissance;"
    "Code de la catégorie socio-professionnelle;Libellé de la catégorie socio-professionnelle;"
    "Date de début du mandat;Date de début de la fonction"
)

# The header of the current municipal councillors file (elus-conseillers-municipaux-cm.csv).
CM_HEADER = (
    "Code du département;Libellé du département;Code de la collectivité à statut particulier;"
    "Libellé de la collectivité à statut particulier;Code de la commune;Libellé de la commune;"
    "Nom de l'élu;Prénom de l'élu;Code sexe;Date de naissance;"
    "Code de la catégorie socio-professionnelle;Libellé de la catégorie socio-professionnelle;"
    "Date de début du mandat;Libellé de la fonction;Date de début de la fonction;Code nationalité"
)
