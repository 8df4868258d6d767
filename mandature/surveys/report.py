"""The results report as a PDF (Typst): every question's figures, with the same rule as the
page (no figure for fewer than `min_cell` respondents), and the chosen cross-tabulation."""

import json
from pathlib import Path

from django.utils import timezone

from mandature.core.french import long_date
from mandature.core.typst_compiler import compiler

from .services import DIMENSIONS, results

TEMPLATE = Path(__file__).parent / "typst" / "report.typ"


def report_data(survey, dimension: str = "") -> dict:
    data = results(survey, dimension=dimension)
    questions = []
    for item in data["questions"]:
        question = item["question"]
        entry = {
            "key": question.key,
            "label": question.label,
            "kind": question.get_kind_display(),
            "n": item["n"],
            "hidden": item["hidden"],
            "rows": [],
            "items": [],
            "mean": None,
            "texts": len(item.get("texts", [])),
            "crosstab": None,
        }
        for row in item.get("rows", []):
            cell = row["cell"]
            shown = not cell.hidden
            entry["rows"].append(
                {
                    "label": row["label"],
                    "share": cell.share if shown else None,
                    "count": row["count"] if shown else None,
                }
            )
        for row in item.get("grid", []):
            entry["items"].append({"label": row["label"], "mean": row["mean"]})
        if item.get("mean") is not None:
            entry["mean"] = round(item["mean"], 1)
        if item.get("crosstab") and not item["hidden"]:
            entry["crosstab"] = [
                {"label": row["label"], "cells": [c.text for c in row["cells"]]}
                for row in item["crosstab"]
            ]
        questions.append(entry)
    return {
        "title": str(survey),
        "organisation": survey.organisation.name if survey.organisation else "Mouvement Hlm",
        "date": long_date(timezone.localdate()),
        "count": data["count"],
        "min_cell": data["min_cell"],
        "anonymous": survey.anonymous,
        "dimension": DIMENSIONS.get(dimension, ""),
        "columns": [
            {"label": label, "n": n, "hidden": small} for _value, label, n, small in data["columns"]
        ],
        "questions": questions,
    }


def render_report(survey, dimension: str = "") -> bytes:
    data = report_data(survey, dimension)
    return compiler(TEMPLATE).compile(sys_inputs={"data": json.dumps(data, ensure_ascii=False)})
