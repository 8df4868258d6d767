"""Saved segments of officials (the audience of campaigns)."""

from django.conf import settings
from django.db import models
from django.urls import reverse


class Segment(models.Model):
    name = models.CharField("nom", max_length=200)
    organisation = models.ForeignKey(
        "movement.Organisation", null=True, on_delete=models.SET_NULL, related_name="segments"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filters = models.JSONField("filtres", default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "segment"
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("web:segment", args=[self.pk])
