"""The organiser's forms (event, sessions, custom questions) and the invitee's answer form."""

from datetime import datetime

from django import forms
from django.forms import inlineformset_factory
from django.utils import timezone

from mandature.core.forms import CleanText
from mandature.territories.models import Commune

from .models import Event, Invitation, Session
from .services import AnswerData

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def parse_questions(text: str) -> list[dict]:
    """One question a line: « Libellé », « Libellé | choix 1 ; choix 2 »; a leading « * »
    makes it required. Raises ValidationError naming the line."""
    questions = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        required = line.startswith("*")
        label, _, choices = line.lstrip("*").partition("|")
        label = label.strip()
        if not label:
            raise forms.ValidationError(f"ligne {number} : la question n'a pas de libellé.")
        options = [c.strip() for c in choices.split(";") if c.strip()]
        if choices.strip() and len(options) < 2:
            raise forms.ValidationError(f"ligne {number} : deux choix au moins, séparés par « ; ».")
        questions.append(
            {
                "key": f"q{len(questions) + 1}",
                "label": label[:300],
                "choices": options,
                "required": required,
            }
        )
    return questions


def questions_text(questions: list[dict]) -> str:
    return "\n".join(
        ("*" if q.get("required") else "")
        + q["label"]
        + (" | " + " ; ".join(q["choices"]) if q.get("choices") else "")
        for q in questions
    )


class EventForm(CleanText, forms.ModelForm):
    online_url = forms.URLField(
        label="Lien de connexion (en ligne)",
        required=False,
        assume_scheme="https",
        help_text="Pour un webinaire ; sinon l'adresse du lieu.",
    )
    commune_code = forms.CharField(
        label="Code INSEE de la commune du lieu",
        required=False,
        max_length=5,
        help_text="Pour la vérification de la période électorale quand l'événement n'a pas de "
        "segment territorial.",
    )
    questions_text = forms.CharField(
        label="Questions aux invités",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Une question par ligne ; choix après « | », séparés par « ; » ; « * » au "
        "début pour une réponse obligatoire. Ex. : *Déjeunerez-vous sur place ? | Oui ; Non",
    )

    class Meta:
        model = Event
        fields = [
            "title",
            "kind",
            "description",
            "venue",
            "address",
            "online_url",
            "segment",
            "registration_opens",
            "registration_closes",
            "public_registration",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "address": forms.Textarea(attrs={"rows": 3}),
            "registration_opens": DATETIME,
            "registration_closes": DATETIME,
        }
        help_texts = {
            "registration_opens": "Heure de Paris.",
            "registration_closes": "Heure de Paris.",
        }

    def __init__(self, *args, segments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if segments is not None:
            self.fields["segment"].queryset = segments
        self.fields["segment"].empty_label = "— aucun —"
        if self.instance.pk:
            self.initial.setdefault("questions_text", questions_text(self.instance.questions))
            self.initial.setdefault("commune_code", self.instance.commune_id or "")

    def clean_commune_code(self):
        code = self.cleaned_data["commune_code"].strip().upper()
        if code and not Commune.objects.filter(pk=code, is_current=True).exists():
            raise forms.ValidationError(f"Commune « {code} » inconnue.")
        return code

    def clean_questions_text(self):
        return parse_questions(self.cleaned_data["questions_text"])

    def clean(self):
        data = super().clean()
        opens, closes = data.get("registration_opens"), data.get("registration_closes")
        if opens and closes and closes <= opens:
            self.add_error("registration_closes", "La clôture doit suivre l'ouverture.")
        if not data.get("address", "").strip() and not data.get("online_url"):
            self.add_error("address", "Indiquez l'adresse du lieu ou le lien de connexion.")
        return data

    def save(self, commit=True):
        event = super().save(commit=False)
        event.questions = self.cleaned_data["questions_text"]
        event.commune_id = self.cleaned_data["commune_code"] or None
        if commit:
            event.save()
        return event


class SessionForm(CleanText, forms.ModelForm):
    class Meta:
        model = Session
        fields = ["title", "starts_at", "ends_at", "capacity", "slot_minutes"]
        widgets = {"starts_at": DATETIME, "ends_at": DATETIME}

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", "La fin doit suivre le début.")
        slot = data.get("slot_minutes") or 0
        if slot and (slot < 5 or slot > 240):
            self.add_error("slot_minutes", "Entre 5 et 240 minutes (20 pour un stand).")
        if slot and start and end and (end - start).total_seconds() < slot * 60:
            self.add_error("ends_at", "La séance est plus courte qu'un créneau.")
        return data


def session_formset(event: Event):
    """The sessions' forms: one to fill for a new event, one more blank for an existing one."""
    return inlineformset_factory(
        Event,
        Session,
        form=SessionForm,
        extra=1 if event.pk else 0,
        can_delete=True,
        min_num=1,
        validate_min=True,
    )


ANSWERS = [
    (Invitation.Answer.YES, "Oui, je serai là"),
    (Invitation.Answer.MAYBE, "Peut-être"),
    (Invitation.Answer.NO, "Non, je ne pourrai pas venir"),
]


class AnswerForm(CleanText, forms.Form):
    """The invitee's answer. Sessions, slots and choices are offered from the event: any other
    value (a tampered id) is refused on its field."""

    answer = forms.ChoiceField(label="Votre réponse", choices=ANSWERS, widget=forms.RadioSelect)
    sessions = forms.MultipleChoiceField(
        label="Séances", required=False, widget=forms.CheckboxSelectMultiple
    )
    companion = forms.ChoiceField(
        label="Un collaborateur",
        required=False,
        widget=forms.RadioSelect,
        choices=[
            ("", "Personne d'autre"),
            ("with", "M'accompagnera"),
            ("instead", "Viendra à ma place"),
        ],
    )
    companion_name = forms.CharField(label="Nom du collaborateur", required=False, max_length=200)
    companion_function = forms.CharField(label="Sa fonction", required=False, max_length=200)
    companion_email = forms.EmailField(label="Son courriel", required=False)
    accessibility = forms.CharField(
        label="Besoins d'accessibilité",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Fauteuil roulant, boucle magnétique, régime alimentaire…",
    )

    def __init__(
        self,
        *args,
        event: Event,
        invitation: Invitation | None = None,
        full: set[int] = frozenset(),
        taken: dict | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.event = event
        self.sessions = {s.pk: s for s in event.sessions.all()}
        taken = taken or {}
        choices = []
        for session in self.sessions.values():
            label = f"{session.title} — {timezone.localtime(session.starts_at):%d/%m/%Y %H:%M}"
            if session.pk in full and not session.has_slots:
                label += " (complet : liste d'attente)"
            choices.append((str(session.pk), label))
            if session.has_slots:
                own = taken.get(("own", session.pk))
                slots = [
                    (s.isoformat(), f"{timezone.localtime(s):%H:%M}")
                    for s in session.slots()
                    if s not in taken.get(session.pk, set()) or s == own
                ]
                self.fields[f"slot_{session.pk}"] = forms.ChoiceField(
                    label=f"Créneau de rendez-vous ({session.title})",
                    required=False,
                    choices=[("", "— choisir —"), *slots],
                    help_text=f"Rendez-vous de {session.slot_minutes} minutes.",
                )
        self.fields["sessions"].choices = choices
        for question in event.questions:
            key = f"q_{question['key']}"
            if question.get("choices"):
                self.fields[key] = forms.ChoiceField(
                    label=question["label"],
                    required=False,
                    choices=[("", "—"), *[(c, c) for c in question["choices"]]],
                )
            else:
                self.fields[key] = forms.CharField(
                    label=question["label"], required=False, max_length=1000
                )
        if invitation is not None and not self.is_bound:
            held = [r for r in invitation.registrations.all() if r.status != "cancelled"]
            self.initial.update(
                {
                    "answer": invitation.answer if invitation.answer != "pending" else "",
                    "sessions": [str(r.session_id) for r in held]
                    or ([str(next(iter(self.sessions)))] if len(self.sessions) == 1 else []),
                    "companion": invitation.companion,
                    "companion_name": invitation.companion_name,
                    "companion_function": invitation.companion_function,
                    "companion_email": invitation.companion_email,
                    "accessibility": invitation.accessibility,
                    **{f"q_{k}": v for k, v in invitation.answers.items() if not k.startswith("_")},
                    **{
                        f"slot_{r.session_id}": r.slot_start.isoformat()
                        for r in held
                        if r.slot_start
                    },
                }
            )

    def clean(self):
        data = super().clean()
        yes = data.get("answer") == Invitation.Answer.YES
        chosen = [int(s) for s in data.get("sessions", [])]
        if yes and not chosen:
            self.add_error("sessions", "Choisissez au moins une séance.")
        slots: dict[int, datetime] = {}
        for pk in chosen:
            session = self.sessions[pk]
            if session.has_slots and yes:
                value = data.get(f"slot_{pk}")
                if not value:
                    self.add_error(f"slot_{pk}", "Choisissez un créneau.")
                else:
                    slots[pk] = datetime.fromisoformat(value)
        if data.get("companion") and not data.get("companion_name", "").strip():
            self.add_error("companion_name", "Indiquez le nom de votre collaborateur.")
        if yes:
            for question in self.event.questions:
                key = f"q_{question['key']}"
                if question.get("required") and not data.get(key):
                    self.add_error(key, "Réponse obligatoire.")
        data["slots"] = slots
        data["chosen"] = chosen
        return data

    def answer_data(self):
        data = self.cleaned_data
        return AnswerData(
            answer=data["answer"],
            sessions=data["chosen"],
            slots=data["slots"],
            companion=data.get("companion") or "",
            companion_name=data.get("companion_name", "").strip(),
            companion_function=data.get("companion_function", "").strip(),
            companion_email=data.get("companion_email", "").strip(),
            accessibility=data.get("accessibility", "").strip(),
            answers={q["key"]: data.get(f"q_{q['key']}", "") for q in self.event.questions},
        )


class PublicForm(AnswerForm):
    name = forms.CharField(label="Prénom et nom", max_length=200)
    function = forms.CharField(label="Fonction et organisme", max_length=250)
    email = forms.EmailField(label="Courriel")
    field_order = ["name", "function", "email", "sessions"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer"].initial = Invitation.Answer.YES
        self.fields["answer"].widget = forms.HiddenInput()
