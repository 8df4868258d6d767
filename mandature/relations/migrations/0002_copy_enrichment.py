"""Copy what people had typed on officials' persons and mandates into contact cards and notes,
before officials 0003 drops those columns."""

from django.db import migrations


def copy(apps, schema_editor):
    Person = apps.get_model("officials", "Person")
    Mandate = apps.get_model("officials", "Mandate")
    Contact = apps.get_model("relations", "Contact")
    Note = apps.get_model("relations", "Note")
    enriched = Person.objects.exclude(email="", phone="", salutation="", notes="")
    for person in enriched.iterator():
        Contact.objects.update_or_create(
            person=person,
            defaults={"email": person.email, "phone": person.phone,
                      "salutation": person.salutation},
        )
        if person.notes:
            Note.objects.create(person=person, text=person.notes)
    for mandate in Mandate.objects.exclude(office_address="", notes="").iterator():
        contact, _ = Contact.objects.get_or_create(person_id=mandate.person_id)
        if mandate.office_address and not contact.postal_address:
            contact.postal_address = mandate.office_address
            contact.save()
        if mandate.notes:
            Note.objects.create(person_id=mandate.person_id, text=mandate.notes)


class Migration(migrations.Migration):
    dependencies = [
        ("relations", "0001_initial"),
        ("officials", "0002_faster_imports"),
    ]
    operations = [migrations.RunPython(copy, migrations.RunPython.noop)]
