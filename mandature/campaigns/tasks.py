"""The campaigns' work in the task worker (`mandature worker`).

The work itself is imported when a task runs: `sending` and `services` enqueue these tasks, so
they import this module, not the other way round."""

from django.utils import timezone
from django_tasks import task

from .models import Campaign


@task()
def send_campaign(campaign_id: int) -> str:
    from .letters import build
    from .sending import run
    from .services import LaunchError, prepare

    campaign = Campaign.objects.select_related("organisation__head_office", "launched_by").get(
        pk=campaign_id
    )
    letters = ""
    if campaign.complete_with_letters and campaign.status == Campaign.Status.SENDING:
        try:  # the letters first: they are ready when the campaign is done
            prepare(campaign)
        except LaunchError:
            pass  # `run` says why (the segment was deleted)
        else:
            built = build(campaign, completion=True)
            if built["letters"]:
                letters = f" ; {built['letters']} courriers prêts"
    return run(campaign_id) + letters


@task()
def build_letters(campaign_id: int) -> str:
    from .letters import build
    from .services import prepare

    campaign = Campaign.objects.select_related("organisation__head_office", "launched_by").get(
        pk=campaign_id
    )
    if campaign.status != Campaign.Status.SENDING:
        return "campagne arrêtée ou déjà produite"
    try:
        prepare(campaign)
        result = build(campaign)
    except Exception as error:  # shown on the campaign's page
        Campaign.objects.filter(pk=campaign_id).update(
            last_error=f"courriers non produits : {error}", finished_at=timezone.now()
        )
        raise
    return f"{result['letters']} courriers, {result['pages']} pages"
