from mandature.compliance.models import Election
from mandature.core.commands import MandatureCommand
from mandature.core.french import long_date


class Command(MandatureCommand):
    help = "Liste le calendrier électoral : élections, tours, territoires, dates provisoires."
    example = "mandature elections"

    def handle(self, *args, **options):
        elections = Election.objects.prefetch_related("regions", "departements", "communes")
        for election in elections:
            rounds = " et ".join(long_date(d) for d in election.rounds)
            where = "toute la France"
            if not election.national:
                parts = [r.name for r in election.regions.all()]
                parts += [d.code for d in election.departements.order_by("code")]
                parts += [c.name for c in election.communes.all()]
                where = ", ".join(parts)
            flag = " (provisoire)" if election.provisional else ""
            decree = f", {election.decree}" if election.decree else ""
            self.stdout.write(f"{election.label} : {rounds}{flag}{decree} — {where}")
        self.summary(f"{elections.count()} élection(s)")
