"""First version of « les 12 questions que se posent les maires », written for Mandature.

Answers insert local figures with {champs} (see docs/briefs.md); each cites its legal basis.
"""

from datetime import date

QUESTIONS = [
    (
        "Combien de logements sociaux compte ma commune ?",
        "{commune} compte {logements_sociaux} logements sociaux pour {logements} logements, soit "
        "un taux estimé de {taux} en {annee}. À titre de comparaison : {taux_epci} dans "
        "l'intercommunalité, {taux_departement} dans le département et {taux_france} en France. "
        "Ce taux est une estimation : le taux officiel de la loi SRU se calcule sur les "
        "résidences principales, selon les règles de l'inventaire annuel.",
        "CCH L.302-5 (inventaire des logements sociaux) ; critères de répartition des dotations "
        "de la DGCL",
    ),
    (
        "Ma commune est-elle soumise à la loi SRU ?",
        "{sru} Les communes soumises qui n'atteignent pas le taux légal versent un prélèvement "
        "annuel et s'engagent sur un rattrapage par période triennale ; le préfet peut prononcer "
        "la carence d'une commune qui ne tient pas ses objectifs.",
        "Loi SRU, article 55 ; CCH L.302-5 à L.302-9-2",
    ),
    (
        "Qui habite dans les logements sociaux ?",
        "Les logements sociaux sont attribués aux ménages dont les ressources ne dépassent pas "
        "des plafonds fixés chaque année : environ deux ménages sur trois y sont éligibles. Dans "
        "la commune, {beneficiaires_aides} personnes sont couvertes par une aide au logement "
        "(allocataires, conjoints et personnes à charge). En France, {demandeurs} attendent un "
        "logement social.",
        "CCH L.441-1 et R.441-1 (conditions d'attribution, plafonds de ressources)",
    ),
    (
        "Qui décide de l'attribution d'un logement ?",
        "La commission d'attribution des logements et d'examen de l'occupation des logements "
        "(CALEOL) de l'organisme Hlm, dont le maire de la commune où sont situés les logements, "
        "ou son représentant, est membre de droit avec voix délibérative. Les réservataires "
        "(État, commune, Action Logement…) proposent des candidats pour leurs contingents.",
        "CCH L.441-2",
    ),
    (
        "Que gagne la commune à garantir les emprunts d'un organisme Hlm ?",
        "La garantie d'emprunt permet à l'organisme de financer l'opération auprès de la Banque "
        "des Territoires. Pour le logement social, elle n'est pas soumise aux plafonds "
        "prudentiels qui limitent les autres garanties des communes. En contrepartie, la commune "
        "peut obtenir la réservation d'une partie des logements du programme (jusqu'à 20 %).",
        "CGCT L.2252-5 (garanties d'emprunt pour le logement social) ; CCH L.441-1 et R.441-5 "
        "(réservations)",
    ),
    (
        "Comment faire construire des logements sociaux dans ma commune ?",
        "Tout commence par le foncier et le document d'urbanisme : le plan local d'urbanisme "
        "peut délimiter des secteurs où une part des programmes de logements est réservée au "
        "logement social, et des emplacements réservés. L'organisme Hlm monte ensuite "
        "l'opération : études, permis de construire, agrément et financements, chantier, mise en "
        "location. Le schéma « Les étapes d'un projet Hlm » de cette fiche résume ce parcours.",
        "Code de l'urbanisme L.151-15 (secteurs de mixité sociale) et L.151-41 (emplacements "
        "réservés)",
    ),
    (
        "Quel est le rôle de l'intercommunalité ?",
        "{epci} définit la politique locale de l'habitat dans son programme local de l'habitat "
        "(PLH), établi pour six ans, qui fixe les objectifs de production par commune. Le PLH "
        "est obligatoire pour les métropoles, les communautés urbaines, les communautés "
        "d'agglomération et les communautés de communes compétentes de plus de 30 000 habitants "
        "comprenant une commune de plus de 10 000 habitants.",
        "CCH L.302-1",
    ),
    (
        "Qu'est-ce que la conférence intercommunale du logement ?",
        "Coprésidée par le préfet et le président de l'EPCI, elle réunit les maires, les "
        "bailleurs, les réservataires et les associations pour fixer les orientations "
        "d'attribution sur le territoire intercommunal, notamment l'accueil des ménages les plus "
        "modestes hors des quartiers prioritaires.",
        "CCH L.441-1-5",
    ),
    (
        "Un organisme peut-il vendre des logements sociaux dans ma commune ?",
        "Oui, dans le cadre de son plan de vente inscrit dans sa convention d'utilité sociale, "
        "après consultation de la commune d'implantation. Dans une commune qui n'atteint pas son "
        "taux SRU, l'accord de la commune est requis, et les logements vendus restent décomptés "
        "au titre de la loi SRU pendant dix ans.",
        "CCH L.443-7",
    ),
    (
        "Comment aider les ménages modestes à devenir propriétaires ?",
        "Par l'accession sociale à la propriété : prêt social location-accession (PSLA) et bail "
        "réel solidaire (BRS), où un organisme de foncier solidaire garde le terrain et le "
        "ménage n'achète que le bâti, à un prix durablement encadré.",
        "CCH L.255-1 (bail réel solidaire) ; Code de l'urbanisme L.329-1 (organismes de foncier "
        "solidaire)",
    ),
    (
        "Et les quartiers prioritaires de la politique de la ville ?",
        "{population_qpv} habitants de la commune vivent dans un quartier prioritaire, soit "
        "{part_qpv} de sa population. Les organismes Hlm y mènent la rénovation urbaine avec "
        "l'ANRU et y renforcent la gestion de proximité, en partie financée par l'abattement de "
        "taxe foncière sur leurs logements.",
        "Loi n° 2014-173 du 21 février 2014 de programmation pour la ville ; CGI 1388 bis",
    ),
    (
        "À qui m'adresser ?",
        "{association} peut organiser une rencontre avec les organismes Hlm qui ont des "
        "logements dans la commune ou peuvent y construire. Coordonnées : {contact}.",
        "CCH L.411-2 (organismes d'habitations à loyer modéré)",
    ),
]


def seed_first_content(BriefContent, BriefQuestion) -> None:  # a migration's model classes
    if BriefContent.objects.exists():
        return
    content = BriefContent.objects.create(
        version=1, published_at=date(2026, 11, 24), note="Première version"
    )
    for number, (question, answer, basis) in enumerate(QUESTIONS, start=1):
        BriefQuestion.objects.create(
            content=content, number=number, question=question, answer=answer, legal_basis=basis
        )
