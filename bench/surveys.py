"""Benchmark: surveys — the results page with a cross-tabulation over 5,000 responses to the 15
questions of the example survey, and the submission of a page of answers.

    .venv/bin/python bench/surveys.py [--no-sqlite] [--no-postgres]

Each backend runs in a fresh database (migrated; no national data needed): a copy of the example
survey, opened, with 5,000 submitted responses whose answers and profiles (région, population
band, new or re-elected, mandate) are drawn at random, and 300 respondents who have not started.
Through Django's test client (the whole view and template, no network):
- results: 40 views of the results page, each crossed by one of the four dimensions in turn,
  one more answer submitted before each (answers arriving: the page reads the new ones and
  computes everything again); the first view of the process, which reads all the answers, is
  shown apart. Baseline in the same run: the survey's own page. Goal (issue 10): p95 <= 300 ms
  on PostgreSQL.
- submit: 300 respondents each post page 1 (four answers, checked and saved); baseline: the
  GET of the same page. Goal (issue 10): p95 <= 100 ms.
"""

import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESPONSES = 5000
REGIONS = ["11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94"]
BANDS = ["moins-de-1000", "1000-3499", "3500-9999", "10000-49999", "50000-et-plus"]


def random_answers(questions, rng) -> dict:
    answers = {}
    for q in questions:
        if q.condition_key and rng.random() < 0.5:
            continue
        if q.kind == "single":
            answers[q.key] = rng.choice(q.choices)
        elif q.kind == "multiple":
            answers[q.key] = rng.sample(q.choices, rng.randint(1, min(3, len(q.choices))))
        elif q.kind in ("scale5", "scale10"):
            answers[q.key] = rng.choice(q.scale)
        elif q.kind == "number":
            answers[q.key] = rng.randint(0, 400)
        elif q.kind == "matrix":
            answers[q.key] = {str(i): rng.randint(1, 5) for i in range(len(q.items))}
        elif rng.random() < 0.3:
            answers[q.key] = rng.choice(
                [
                    "Plus de logements pour les jeunes.",
                    "Accélérer les rénovations énergétiques.",
                    "Mieux associer la commune aux attributions.",
                ]
            )
    return answers


def timed(client, method: str, url: str, data=None) -> float:
    started = time.perf_counter()
    response = client.post(url, data) if method == "post" else client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def child(database_url: str) -> dict:
    import os

    from throwaway import django_migrated, logged_in_client, percentiles

    os.environ.setdefault("RATE_LIMIT_PUBLIC", "10000000/min")  # one address answers 300 times
    django_migrated(database_url)
    from django.utils import timezone

    from mandature.movement.models import Organisation
    from mandature.surveys.models import Respondent, Survey
    from mandature.surveys.seed import seed_example_survey
    from mandature.surveys.services import copy_survey

    client = logged_in_client()
    seed_example_survey()
    user = client.session.get("_auth_user_id")
    from django.contrib.auth import get_user_model

    survey = copy_survey(Survey.objects.get(is_example=True), get_user_model().objects.get(pk=user))
    survey.organisation = Organisation.objects.get(kind="federation", short_name="FOPH")
    survey.status = "open"
    survey.save()
    questions = list(survey.questions.all())
    rng = random.Random(10)
    started = time.perf_counter()
    now = timezone.now()
    Respondent.objects.bulk_create(
        [
            Respondent(
                survey=survey,
                submitted_at=now,
                started_at=now,
                answers=random_answers(questions, rng),
                region=rng.choice(REGIONS),
                departement="",
                population_band=rng.choice(BANDS),
                renewal=rng.choice(["nouveau", "reelu"]),
                function=rng.choice(["maire", "president-epci"]),
            )
            for _ in range(RESPONSES)
        ],
        batch_size=1000,
    )
    fresh = Respondent.objects.bulk_create([Respondent(survey=survey) for _ in range(300)])
    setup_seconds = time.perf_counter() - started

    results_url = f"/enquetes/{survey.pk}/resultats/"
    dimensions = ["region", "population_band", "renewal", "function"]
    cold = timed(client, "get", f"{results_url}?croisement=region")  # reads all 5,000
    results = []
    for n in range(40):  # answers keep arriving: one more before each look
        Respondent.objects.create(
            survey=survey,
            submitted_at=timezone.now(),
            region="32",
            answers=random_answers(questions, rng),
        )
        results.append(timed(client, "get", f"{results_url}?croisement={dimensions[n % 4]}"))
    survey_page = [timed(client, "get", f"/enquetes/{survey.pk}/") for _ in range(40)]

    keys = [r.key for r in Respondent.objects.filter(pk__in=[r.pk for r in fresh])]
    page1 = {"page": "1", "action": "next", "q1": "1", "q2": "8", "q3": "1", "q4": "120"}
    gets = [timed(client, "get", f"/enquete/{key}/") for key in keys[:100]]
    posts = [timed(client, "post", f"/enquete/{key}/", page1) for key in keys]
    return {
        "setup_seconds": setup_seconds,
        "results": percentiles(results),
        "cold": cold,
        "survey_page": percentiles(survey_page),
        "submit": percentiles(posts),
        "get": percentiles(gets),
    }


def report(name: str, t: dict) -> None:
    r, b, s, g = t["results"], t["survey_page"], t["submit"], t["get"]
    print(f"\n{name}: {RESPONSES} responses × 15 questions made in {t['setup_seconds']:.1f} s")
    print(
        f"  results page with a cross-tabulation: p50 {r['p50']:.0f} ms, p95 {r['p95']:.0f} ms "
        f"(goal <= 300 ms: {'met' if r['p95'] <= 300 else 'NOT met'}); baseline survey page "
        f"p95 {b['p95']:.0f} ms, ratio {r['p95'] / b['p95']:.1f}"
    )
    print(f"  first look in a process (all 5,000 answers read): {t['cold']:.0f} ms")
    print(
        f"  submit a page of answers: p50 {s['p50']:.1f} ms, p95 {s['p95']:.1f} ms "
        f"(goal <= 100 ms: {'met' if s['p95'] <= 100 else 'NOT met'}); baseline GET of the "
        f"page p95 {g['p95']:.1f} ms, ratio {s['p95'] / g['p95']:.1f}"
    )


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from throwaway import bench_main

    bench_main(__file__, child, report, "mandature_bench_surveys")


if __name__ == "__main__":
    main()
