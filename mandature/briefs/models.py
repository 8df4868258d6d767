"""The content of the commune brief: « les 12 questions que se posent les maires », versioned,
and the contact of each région's association."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from mandature.territories.models import Region


class BriefContent(models.Model):
    """One version of the questions and answers; the newest published one is used, and its
    number is printed on each brief."""

    version = models.PositiveIntegerField("version", unique=True)
    published_at = models.DateField("publiée le")
    note = models.CharField("ce qui change", max_length=300, blank=True)

    class Meta:
        verbose_name = "version du contenu des fiches"
        verbose_name_plural = "versions du contenu des fiches"
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"Contenu v{self.version} du {self.published_at:%d/%m/%Y}"

    @classmethod
    def current(cls) -> "BriefContent | None":
        return cls.objects.order_by("-version").first()

    def copy_as_new_version(self, note: str = "") -> "BriefContent":
        latest = BriefContent.objects.order_by("-version").first()
        new = BriefContent.objects.create(
            version=latest.version + 1, published_at=timezone.localdate(), note=note
        )
        BriefQuestion.objects.bulk_create(
            BriefQuestion(
                content=new,
                number=q.number,
                question=q.question,
                answer=q.answer,
                legal_basis=q.legal_basis,
            )
            for q in self.questions.all()
        )
        return new


class BriefQuestion(models.Model):
    """A question and its answer; the answer may insert local figures with {champs} (the list is
    in docs/briefs.md); a field without data prints « donnée indisponible »."""

    content = models.ForeignKey(BriefContent, on_delete=models.CASCADE, related_name="questions")
    number = models.PositiveSmallIntegerField("numéro")
    question = models.CharField("question", max_length=300)
    answer = models.TextField("réponse (avec {champs})")
    legal_basis = models.CharField("base légale", max_length=300)

    class Meta:
        verbose_name = "question de la fiche"
        verbose_name_plural = "questions de la fiche"
        ordering = ["content", "number"]
        constraints = [
            models.UniqueConstraint(fields=["content", "number"], name="unique_question_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.question}"


class RegionalContact(models.Model):
    """Who a mayor of the région can call: the regional association of Hlm organisms."""

    region = models.OneToOneField(Region, on_delete=models.CASCADE, related_name="brief_contact")
    name = models.CharField("association régionale", max_length=200)
    address = models.CharField("adresse", max_length=300, blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("courriel", blank=True)
    website = models.URLField("site", blank=True)

    class Meta:
        verbose_name = "contact régional des fiches"
        verbose_name_plural = "contacts régionaux des fiches"

    def __str__(self) -> str:
        return self.name


class BriefBatch(models.Model):
    """A batch of briefs asked for on the staff page, produced by the task worker."""

    class Status(models.TextChoices):
        QUEUED = "queued", "en attente"
        RUNNING = "running", "en cours"
        DONE = "done", "terminé"
        FAILED = "failed", "échec"

    kind = models.CharField("sélection", max_length=20)
    code = models.CharField("code", max_length=9, blank=True)
    label = models.CharField("territoire", max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    built = models.PositiveIntegerField(default=0)
    zip_path = models.CharField(max_length=500, blank=True)
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "production de fiches"
        verbose_name_plural = "productions de fiches"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Fiches {self.label} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        return 100 * self.done // self.total if self.total else 0
