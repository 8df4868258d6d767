"""Postal campaigns: one PDF with a letter per recipient (Typst) and the CSV a printing house
asks for (one line per letter: pages, address lines, postal code, locality)."""

import base64
import json
import threading
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from mandature.core.files import image_mime
from mandature.core.french import long_date
from mandature.core.spreadsheet import csv_bytes
from mandature.core.typst_compiler import compiler

from .compose import compile_template, letter_blocks, markdown_blocks
from .models import Campaign, Recipient
from .sending import write_interactions

TEMPLATE = Path(__file__).parent / "typst" / "letters.typ"
CSV_HEADER = [
    "numero",
    "premiere_page",
    "nombre_pages",
    "ligne_1",
    "ligne_2",
    "ligne_3",
    "ligne_4",
    "ligne_5",
    "ligne_6",
    "code_postal",
    "localite",
    "code_insee",
    "reference",
]


_LOCK = threading.Lock()


def folder(campaign: Campaign) -> Path:
    """The campaign's files; named by creation time too, so that a database restored or
    recreated (ids start again) never finds another campaign's letters."""
    return (
        Path(settings.VAR_DIR) / "campaigns" / f"{campaign.pk}-{campaign.created_at:%Y%m%d%H%M%S%f}"
    )


def signature_svg(image: bytes | None) -> str | None:
    """Typst takes the image inside an SVG (a data: URI), so nothing is written to disk."""
    if not image:
        return None
    encoded = base64.b64encode(bytes(image)).decode("ascii")
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'width="600" height="240" viewBox="0 0 600 240">'
        f'<image width="600" height="240" preserveAspectRatio="xMinYMid meet" '
        f'xlink:href="data:{image_mime(bytes(image))};base64,{encoded}"/></svg>'
    )


def sender_of(campaign: Campaign) -> dict:
    organisation = campaign.organisation
    if organisation is None:
        return {"name": "Mouvement Hlm", "lines": []}
    lines = [line.strip() for line in organisation.address.splitlines() if line.strip()]
    lines += [value for value in (organisation.phone, organisation.email) if value]
    return {"name": organisation.name, "lines": lines}


def letters_data(campaign: Campaign, recipients: list[Recipient]) -> dict:
    compiled = compile_template(campaign.subject, campaign.body, email=False)
    blocks = markdown_blocks(compiled.body)
    organisation = campaign.organisation
    on = campaign.letter_date or timezone.localdate()
    place = organisation.head_office.name if organisation and organisation.head_office else ""
    signatory = campaign.signatory or (organisation.signatory if organisation else "")
    signature = campaign.signature or (organisation.signature if organisation else None)
    letters = []
    for recipient in recipients:
        values = dict(recipient.values)
        rendered_subject = compiled.render({**values, "lien_desinscription": ""}).subject
        letters.append(
            {
                "address": recipient.address.splitlines(),
                "subject": rendered_subject,
                "blocks": letter_blocks(compiled.body, blocks, values),
            }
        )
    return {
        "title": campaign.name,
        "sender": sender_of(campaign),
        "place_date": f"{place}, le {long_date(on)}" if place else f"Le {long_date(on)}",
        "signatory": [line.strip() for line in signatory.splitlines() if line.strip()],
        "signature": signature_svg(signature),
        "letters": letters,
    }


def render_letters(data: dict) -> tuple[bytes, list[int], int]:
    """The PDF, the first page of each letter and the number of pages."""
    inputs = {"data": json.dumps(data, ensure_ascii=False)}
    letters_compiler = compiler(TEMPLATE)
    with _LOCK:  # the query reads the inputs of the compiler's last compilation
        pdf = letters_compiler.compile(sys_inputs=inputs)
        found = json.loads(letters_compiler.query("<letter>", field="value"))
    pages, total = [0] * len(data["letters"]), 0
    for item in found:
        if item["index"] < 0:
            total = item["page"]
        else:
            pages[item["index"]] = item["page"]
    return pdf, pages, total


def printer_rows(recipients: list[Recipient], first_pages: list[int], total_pages: int):
    """One row per letter: where it starts in the PDF, how many pages, the address split in
    AFNOR lines, postal code and locality apart."""
    for number, (recipient, first) in enumerate(zip(recipients, first_pages, strict=True), 1):
        following = first_pages[number] if number < len(first_pages) else total_pages + 1
        lines = recipient.address.splitlines()
        last = lines[-1] if lines else ""
        postal_code, _, locality = last.partition(" ")
        if not (postal_code.isdigit() and len(postal_code) == 5):
            postal_code, locality = "", last
        address = (lines + [""] * 6)[:6]
        reference = f"C{recipient.campaign_id}-D{recipient.pk}"
        yield [
            number,
            first,
            following - first,
            *address,
            postal_code,
            locality,
            recipient.commune_id or "",
            reference,
        ]


def printer_csv(recipients: list[Recipient], first_pages: list[int], total_pages: int) -> bytes:
    """The printing house's file: the one export convention (UTF-8 with BOM, « ; », formulas
    neutralised) with CRLF line ends, which mail-merge tools on Windows expect
    (docs/campaigns.md)."""
    rows = printer_rows(recipients, first_pages, total_pages)
    return csv_bytes(CSV_HEADER, rows, line_end="\r\n")


def build(campaign: Campaign, *, completion: bool = False) -> dict:
    """Write the PDF and the printer's CSV of a postal campaign, or of the letters completing
    an email campaign (`completion`: its recipients reached by post); the recipients become
    « sent » (the letters are ready) and each gets an interaction on its timeline. A postal
    campaign is then done; an email campaign goes on sending."""
    recipients = campaign.recipients.filter(
        status__in=[Recipient.Status.QUEUED, Recipient.Status.SENT]
    ).order_by("pk")
    if completion:
        recipients = recipients.filter(route=Recipient.Route.LETTER)
        if not recipients.filter(status=Recipient.Status.QUEUED).exists():
            return {"letters": 0, "pages": 0}  # none, or already built
    recipients = list(recipients)
    data = letters_data(campaign, recipients)
    pdf, first_pages, total = render_letters(data)
    target = folder(campaign)
    target.mkdir(parents=True, exist_ok=True)
    _write(target / "courriers.pdf", pdf)
    _write(target / "imprimeur.csv", printer_csv(recipients, first_pages, total))
    now = timezone.now()
    Recipient.objects.filter(
        pk__in=[r.pk for r in recipients], status=Recipient.Status.QUEUED
    ).update(status=Recipient.Status.SENT, sent_at=now)
    write_interactions(campaign)
    if not completion:
        Campaign.objects.filter(pk=campaign.pk).update(
            status=Campaign.Status.DONE, finished_at=now, last_error=""
        )
    return {"letters": len(recipients), "pages": total}


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
