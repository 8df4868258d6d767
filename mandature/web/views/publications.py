"""The movement's publications: list, versions, distributions, the personal download link."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from mandature.core.forms import CleanText
from mandature.core.ratelimit import rate_limited
from mandature.events.models import Event, Registration
from mandature.movement.access import can, of_organisation, organisation_of, owns, require
from mandature.movement.models import Organisation
from mandature.movement.scope import outside_text, scope_of, visible
from mandature.officials.models import Person
from mandature.publications.models import Distribution, Publication, Version
from mandature.publications.services import check_file, downloaded, from_token, record
from mandature.web.listing import export_list


class PublicationForm(CleanText, forms.ModelForm):
    class Meta:
        model = Publication
        fields = ["title", "kind", "audience", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class VersionForm(CleanText, forms.ModelForm):
    class Meta:
        model = Version
        fields = ["label", "published_on", "file", "url", "notes"]
        widgets = {
            "published_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"file": "PDF, EPUB, MP4 ou WebM, 200 Mo au plus."}

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and hasattr(upload, "size"):
            problem = check_file(upload)
            if problem:
                raise forms.ValidationError(problem)
        return upload

    def clean(self):
        data = super().clean()
        if not data.get("file") and not data.get("url"):
            raise forms.ValidationError("Déposez le fichier ou donnez son adresse en ligne.")
        return data


class HandOverForm(CleanText, forms.Form):
    publication = forms.ModelChoiceField(Publication.objects.all(), label="Publication")
    channel = forms.ChoiceField(
        label="Comment",
        choices=[(c.value, c.label) for c in Distribution.Channel if c != "download"],
    )
    date = forms.DateField(
        label="Date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    event = forms.ModelChoiceField(
        queryset=None, required=False, label="Lors de l'événement", empty_label="— aucun —"
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = of_organisation(user, Event.objects.all())
        self.initial.setdefault("date", timezone.localdate())

    def clean(self):
        data = super().clean()
        if data.get("channel") == Distribution.Channel.EVENT and not data.get("event"):
            self.add_error("event", "Choisissez l'événement.")
        return data


DISTRIBUTION_HEADER = [
    "publication",
    "version",
    "élu",
    "comment",
    "date",
    "événement",
    "téléchargements",
    "organisation",
]


def _distribution_rows(distributions):
    for d in distributions:
        yield [
            d.version.publication.title,
            d.version.label,
            str(d.person),
            d.get_channel_display(),
            d.date,
            d.event.title if d.event else "",
            d.downloads,
            d.organisation.name if d.organisation else "",
        ]


def _visible_distributions(user):
    found = Distribution.objects.select_related(
        "version__publication", "person", "event", "organisation"
    )
    return found.filter(scope_of(user).shared_q())


def _owned_or_403(request, publication: Publication) -> Publication:
    """Only its organisation changes a publication; the movement's national ones (no
    organisation, or the Union's), only national administrators."""
    if not owns(request.user, publication):
        raise PermissionDenied(
            "Seule l'organisation qui publie ce document peut le modifier ; les publications "
            "nationales du Mouvement, seuls les administrateurs nationaux."
        )
    return publication


def publication_list(request):
    publications = list(Publication.objects.order_by("title"))
    counts = {}
    for d in _visible_distributions(request.user).values_list("version__publication_id", flat=True):
        counts[d] = counts.get(d, 0) + 1
    rows = [(p, p.current, counts.get(p.pk, 0)) for p in publications]
    exported = export_list(
        request,
        "publications",
        ["titre", "nature", "public visé", "version en cours", "parue le", "diffusions"],
        [
            [
                p.title,
                p.get_kind_display(),
                p.audience,
                v.label if v else "",
                v.published_on if v else "",
                n,
            ]
            for p, v, n in rows
        ],
    )
    if exported:
        return exported
    return render(request, "web/publications/list.html", {"rows": rows})


@require("publications")
def publication_edit(request, pk: int | None = None):
    publication = _owned_or_403(request, get_object_or_404(Publication, pk=pk)) if pk else None
    form = PublicationForm(request.POST or None, instance=publication)
    if request.method == "POST" and form.is_valid():
        publication = form.save(commit=False)
        if publication.pk is None:  # a new one is its author's organisation's
            publication.organisation = organisation_of(request.user)
        publication.save()
        return redirect(publication)
    return render(request, "web/publications/edit.html", {"form": form, "publication": publication})


def publication_detail(request, pk: int):
    publication = get_object_or_404(Publication, pk=pk)
    distributions, outside = visible(
        Distribution.objects.filter(version__publication=publication).select_related(
            "version__publication", "person", "event", "organisation"
        ),
        scope_of(request.user).shared_q(),
        person="person",
    )
    exported = export_list(
        request,
        f"diffusions-publication-{pk}",
        DISTRIBUTION_HEADER,
        lambda: _distribution_rows(distributions),
        personal=True,
    )
    if exported:
        return exported
    form = None
    if request.method == "POST":  # a new version: its owner's only
        _owned_or_403(request, publication)
    if can(request.user, "publications") and owns(request.user, publication):
        form = VersionForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            version = form.save(commit=False)
            version.publication = publication
            if version.file:
                version.file_name = version.file.name.rsplit("/", 1)[-1][:200]
            version.save()
            messages.success(request, f"Version « {version.label} » ajoutée.")
            return redirect(publication)
    context = {
        "publication": publication,
        "versions": publication.versions.all(),
        "distributions": distributions[:200],
        "count": distributions.count(),
        "outside": outside_text(outside),
        "can_edit": can(request.user, "publications") and owns(request.user, publication),
        "form": form,
    }
    return render(request, "web/publications/detail.html", context)


def version_file(request, pk: int, version_id: int):
    version = get_object_or_404(Version, pk=version_id, publication_id=pk)
    if not version.file:
        raise Http404("pas de fichier pour cette version")
    return _download(version)


def _download(version: Version) -> FileResponse:
    return FileResponse(
        version.file.open("rb"), as_attachment=True, filename=version.file_name or "publication"
    )


@require("edit")
@require_POST
def hand_over(request, person_id: int):
    """Record that a publication was sent by post or handed over (the official's page)."""
    person = get_object_or_404(Person, pk=person_id)
    if not scope_of(request.user).has_person(person):
        raise Http404("élu hors de votre territoire")
    form = HandOverForm(request.POST, user=request.user)
    if form.is_valid():
        version = form.cleaned_data["publication"].current
        if version is None:
            messages.error(request, "Cette publication n'a pas encore de version.")
        else:
            record(
                version,
                person,
                form.cleaned_data["channel"],
                date=form.cleaned_data["date"],
                user=request.user,
                event=form.cleaned_data["event"],
                organisation=organisation_of(request.user),
            )
            messages.success(request, f"Remise de « {version.publication} » enregistrée.")
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(person)


@login_not_required
@rate_limited("public")
def personal_link(request, token: str):
    """The official's own link: the publication's page, then the download (recorded)."""
    found = from_token(token)
    if found is None:
        return render(request, "web/publications/link_invalid.html", status=404)
    publication, person_id, organisation_id = found
    version = publication.current
    person = Person.objects.filter(pk=person_id).first()
    if request.method == "POST" and version is not None and person is not None:
        organisation = Organisation.objects.filter(pk=organisation_id).first()
        downloaded(version, person, organisation)
        if version.file:
            return _download(version)
        if version.url:
            return redirect(version.url)
    return render(
        request,
        "web/publications/link.html",
        {"publication": publication, "version": version, "person": person},
    )


@require("events")
@require_POST
def hand_over_at_event(request, pk: int):
    """The publication handed over to everyone checked in at the event (once each)."""
    event = get_object_or_404(of_organisation(request.user, Event.objects.all()), pk=pk)
    chosen = request.POST.get("publication", "")
    publication = Publication.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
    version = publication.current if publication else None
    if version is None:
        messages.error(request, "Choisissez une publication qui a une version.")
        return redirect(event)
    present = (  # the officials of the user's scope: a hand-over is written on their page
        Registration.objects.filter(session__event=event, status="confirmed")
        .filter(scope_of(request.user).invitation_q("invitation__"))
        .exclude(checked_in_at=None)
        .exclude(invitation__person=None)
        .values_list("invitation__person_id", flat=True)
        .distinct()
    )
    already = set(
        Distribution.objects.filter(version=version, event=event).values_list(
            "person_id", flat=True
        )
    )
    organisation = organisation_of(request.user)
    made = 0
    for person in Person.objects.filter(pk__in=list(present)).exclude(pk__in=already):
        record(
            version,
            person,
            Distribution.Channel.EVENT,
            user=request.user,
            event=event,
            organisation=organisation,
        )
        made += 1
    messages.success(
        request, f"« {publication.title} » remise à {made} élu(s) présent(s), noté sur leur fiche."
    )
    return redirect(event)
