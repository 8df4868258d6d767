"""The mairie directory in the UI: correcting a mairie's contact (« le standard a changé »)."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from mandature.core.forms import CleanText
from mandature.core.models import audit
from mandature.directory.enums import CONTACT_FIELDS
from mandature.directory.models import MairieContact
from mandature.directory.services import cards, clean_value, correct
from mandature.movement.access import require
from mandature.movement.scope import scope_of


class MairieCorrectionForm(CleanText, forms.Form):
    """The six values, as shown today; what differs from the directory becomes a colleague's
    correction, what equals it again goes back to the directory's."""

    address = forms.CharField(label="Adresse postale (une ligne par ligne)", required=False)
    email = forms.CharField(label="Courriel", required=False, max_length=254)
    phone = forms.CharField(label="Téléphone", required=False, max_length=30)
    website = forms.CharField(label="Site internet", required=False, max_length=500)
    opening_hours = forms.CharField(label="Horaires d'ouverture", required=False)
    accessibility = forms.CharField(label="Accessibilité", required=False, max_length=200)

    def __init__(self, *args, card, **kwargs):
        super().__init__(*args, initial={f: v.text for f, v in card.values.items()}, **kwargs)
        self.fields["address"].widget = forms.Textarea(attrs={"rows": 4})
        self.fields["opening_hours"].widget = forms.Textarea(attrs={"rows": 2})
        for name, value in card.values.items():
            shown = value.directory_text.replace("\n", ", ") or "aucune valeur"
            self.fields[name].help_text = f"Annuaire : {shown}"

    def clean(self):
        cleaned = super().clean()
        for name in CONTACT_FIELDS:
            try:
                cleaned[name] = clean_value(name, cleaned.get(name) or "")
            except ValueError as error:
                self.add_error(name, str(error))
        return cleaned


@require("edit")
def mairie_correct(request, pk: int):
    contact = get_object_or_404(MairieContact.objects.select_related("commune"), pk=pk)
    if not scope_of(request.user).has_commune(contact.commune):
        raise Http404("mairie hors de votre territoire")
    card = cards([contact])[0]
    form = MairieCorrectionForm(request.POST or None, card=card)
    if request.method == "POST" and form.is_valid():
        changed = []
        for name in CONTACT_FIELDS:
            if form.cleaned_data[name] != card.values[name].text:
                correct(contact, name, form.cleaned_data[name], request.user)
                changed.append(name)
        if changed:
            audit(
                "coordonnées de mairie corrigées",
                "web",
                request.user,
                mairie=contact.code,
                nature=contact.kind,
                champs=changed,
            )
            messages.success(request, "Coordonnées de la mairie enregistrées.")
        else:
            messages.info(request, "Aucune modification.")
        return redirect(f"{contact.commune.get_absolute_url()}#mairie")
    return render(request, "web/directory/correct.html", {"card": card, "form": form})
