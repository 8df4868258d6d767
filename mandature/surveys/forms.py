"""The survey's settings and the question builder."""

from django import forms

from mandature.core.forms import CleanText

from .models import Question, QuestionKind, Survey
from .services import next_key

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SurveyForm(CleanText, forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title", "intro", "segment", "anonymous", "public_link", "closes_at", "min_cell"]
        widgets = {"intro": forms.Textarea(attrs={"rows": 4}), "closes_at": DATETIME}
        help_texts = {"closes_at": "Heure de Paris ; vide : jusqu'à ce que vous la fermiez."}

    def __init__(self, *args, segments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if segments is not None:
            self.fields["segment"].queryset = segments
        self.fields["segment"].empty_label = "— aucun —"
        if self.instance.pk and self.instance.status != Survey.Status.DRAFT:
            for name in ("anonymous", "public_link"):  # what respondents were told stays true
                self.fields[name].disabled = True

    def clean_min_cell(self):
        value = self.cleaned_data["min_cell"]
        if value < 3:
            raise forms.ValidationError("3 au moins : en dessous, on reconnaîtrait des personnes.")
        return value


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class QuestionForm(CleanText, forms.ModelForm):
    choices_text = forms.CharField(
        label="Choix (un par ligne)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Pour un choix unique ou multiple.",
    )
    items_text = forms.CharField(
        label="Éléments de la grille (un par ligne)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Chacun est noté de 1 à 5.",
    )
    condition_key = forms.ChoiceField(label="Afficher seulement si la question", required=False)
    condition_text = forms.CharField(
        label="a pour réponse (une des valeurs, séparées par « ; »)",
        required=False,
        help_text="Ex. : Oui ; Je ne sais pas",
    )

    class Meta:
        model = Question
        fields = ["page", "position", "kind", "label", "help_text", "required"]

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        others = [q for q in survey.questions.all() if q.pk != self.instance.pk]
        self.others = {q.key: q for q in others}
        self.fields["condition_key"].choices = [("", "— toujours afficher —")] + [
            (q.key, f"{q.key} — {q.label[:70]}")
            for q in others
            if q.kind
            in (
                QuestionKind.SINGLE,
                QuestionKind.MULTIPLE,
                QuestionKind.SCALE5,
                QuestionKind.SCALE10,
            )
        ]
        if self.instance.pk:
            self.initial.update(
                choices_text="\n".join(self.instance.choices),
                items_text="\n".join(self.instance.items),
                condition_key=self.instance.condition_key,
                condition_text=" ; ".join(str(v) for v in self.instance.condition_values),
            )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        choices, items = _lines(data.get("choices_text")), _lines(data.get("items_text"))
        if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            if len(choices) < 2:
                self.add_error("choices_text", "Deux choix au moins.")
            if len(set(choices)) != len(choices):
                self.add_error("choices_text", "Deux choix identiques.")
        if kind == QuestionKind.MATRIX and len(items) < 2:
            self.add_error("items_text", "Deux éléments au moins.")
        data["choices"] = choices if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) else []
        data["items"] = items if kind == QuestionKind.MATRIX else []
        key = data.get("condition_key")
        values = [v.strip() for v in (data.get("condition_text") or "").split(";") if v.strip()]
        data["condition_values"] = values
        if key:
            source = self.others[key]
            page, position = data.get("page") or 1, data.get("position") or 1
            if (source.page, source.position) >= (page, position):
                self.add_error(
                    "condition_key",
                    "La condition doit porter sur une question placée avant celle-ci.",
                )
            allowed = source.choices or [str(v) for v in source.scale]
            wrong = [v for v in values if v not in allowed]
            if not values:
                self.add_error("condition_text", "Indiquez la ou les réponses qui l'affichent.")
            elif wrong:
                self.add_error(
                    "condition_text",
                    f"« {wrong[0]} » n'est pas une réponse possible ({' ; '.join(allowed)}).",
                )
        return data

    def save(self, commit=True):
        question = super().save(commit=False)
        question.survey = self.survey
        question.choices = self.cleaned_data["choices"]
        question.items = self.cleaned_data["items"]
        question.condition_key = self.cleaned_data.get("condition_key") or ""
        question.condition_values = self.cleaned_data["condition_values"]
        if not question.key:
            question.key = next_key(self.survey)
        if commit:
            question.save()
        return question
