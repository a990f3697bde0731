"""Generate a large synthetic practice quickly, for benchmarks.

Bulk inserts throughout: people, caseloads, weekly check-ins with their
PHQ-9 and GAD-7 answers every other week, and the flags the trend rules find
in them (computed with the same pure rules, in memory).
The advice shown for each past week is not generated: it would multiply the
rows fivefold and no page that is benchmarked reads it.

Besides the practice's therapists, fixed "bench" therapists are made for
like-for-like comparisons: 30 clients with 104 weeks, 150 clients with 104
weeks, 30 clients with 4 weeks, and 2 clients with 520 weeks. Run again on a
practice made before, it adds only the bench therapists it lacks.
"""

import random
import time
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from checkins.management.commands.seed_demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from checkins.models import CheckIn, Flag, MeasureResponse, week_start_for
from clinical.measures import GAD7, INSTRUMENTS, PHQ9, example_answers, total
from clinical.reading import evaluate, read_week
from clinical.trends import thresholds
from portal.models import CaseloadAssignment, Practice, Role, User

BATCH = 5000
PRACTICE_NAME = "Scale test practice"
# The practice's clinical lead, who reads the outcomes page.
LEAD_EMAIL = "lead@scale.example"
BENCH_THERAPISTS = {
    "bench-30@scale.example": (30, 104),
    "bench-150@scale.example": (150, 104),
    "bench-30-short@scale.example": (30, 4),
    # Ten years of weekly check-ins, for the pages that read a client's history.
    "bench-520@scale.example": (2, 520),
}

# Shares of clients following each pattern: most are doing fine; about one in
# five shows a trend at any time, near the 10-15% of clients that outcome-
# monitoring systems flag at once (plus the noise of real answers).
PATTERNS = [
    ("improving", 0.55),
    ("steady", 0.27),
    ("rising_discomfort", 0.03),
    ("expectations_unmet", 0.03),
    ("homework_dropping", 0.03),
    ("stalled", 0.03),
    ("deteriorating", 0.02),
    ("worse_after_sessions", 0.02),
    ("stopped", 0.015),
    ("barriers", 0.005),
]


def pick_pattern(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for name, share in PATTERNS:
        total += share
        if roll < total:
            return name
    return PATTERNS[0][0]


def week_answers(pattern: str, i: int, n: int, rng: random.Random) -> dict | None:
    """One week's answers for a client following `pattern`, week i of n."""
    late = i - (n - 6)  # the last six weeks carry the pattern's trend
    noise = rng.choice([-1, 0, 0, 1])
    row = {
        "sessions_attended": 1 + i,
        "expectations": 3 + (i > n // 3),
        "discomfort": rng.choice([0, 0, 1]),
        "homework": rng.choice(["most", "most", "all", "all", "some"]),
        "wellbeing": max(0, min(10, 4 + min(3, i // 4) + noise)),
        "felt_worse_after_session": rng.random() < 0.05,
        "barrier_time": False,
        "barrier_money": False,
        "barrier_energy": False,
        "barrier_life_events": False,
        "in_crisis": False,
    }
    if pattern == "steady":
        # A modest early gain, then holding: improved, so not "stalled".
        row["wellbeing"] = max(0, min(10, 5 + min(2, i // 3) + noise))
    elif pattern == "rising_discomfort" and late >= 0:
        row["discomfort"] = min(4, 1 + late // 2)
    elif pattern == "expectations_unmet" and late >= 0:
        row["expectations"] = rng.choice([1, 2])
    elif pattern == "homework_dropping" and late >= 0:
        row["homework"] = "not_done" if late >= 3 else "some"
    elif pattern == "stalled":
        row["wellbeing"] = max(0, min(10, 4 + noise))
        row["expectations"] = 2 if late >= 0 else 3
    elif pattern == "deteriorating" and late >= 0:
        row["wellbeing"] = max(0, 7 - late - 1)
        row["in_crisis"] = late == 5 and rng.random() < 0.2
    elif pattern == "worse_after_sessions" and late >= 2:
        row["felt_worse_after_session"] = True
    elif pattern == "stopped" and late >= 3:
        return None
    elif pattern == "barriers" and late == 5:
        row["barrier_money"] = True
    return row


def week_scores(pattern: str, i: int, n: int, rng: random.Random) -> dict[str, int]:
    """PHQ-9 and GAD-7 totals (and PHQ-9 item 9) for week i of n, following the same
    patterns as the answers: most clients move from the moderate range towards
    the mild, the stalled stay put, the deteriorating rise over their last weeks."""
    late = i - (n - 6)
    gain = min(1.0, i / 16)  # most of the change comes in the first four months
    start_phq, start_gad, drop_phq, drop_gad = {
        "improving": (14, 11, 8, 6),
        "steady": (9, 7, 2, 2),
        "stalled": (14, 11, 0, 0),
    }.get(pattern, (13, 10, 6, 4))
    phq = start_phq - drop_phq * gain + rng.choice([-2, -1, 0, 0, 1, 2])
    gad = start_gad - drop_gad * gain + rng.choice([-1, 0, 0, 1])
    item9 = 0
    if pattern == "deteriorating" and late >= 0:
        phq += 2 * (late + 1)
        gad += late + 1
        item9 = 1 if late == 5 and rng.random() < 0.2 else 0
    return {
        "phq9": max(item9, min(27, round(phq))),
        "gad7": max(0, min(21, round(gad))),
        "item9": item9,
    }


class Command(BaseCommand):
    help = "Generate a large synthetic practice with bulk inserts (for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--therapists", type=int, default=200)
        parser.add_argument("--clients-per-therapist", type=int, default=30)
        parser.add_argument("--weeks", type=int, default=104)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, therapists, clients_per_therapist, weeks, seed, **options):
        started = time.monotonic()
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.password = make_password(DEMO_PASSWORD)
        self.t = thresholds()
        with transaction.atomic():
            practice, _ = Practice.objects.get_or_create(name=PRACTICE_NAME)
            if User.objects.filter(practice=practice).exists():
                # Made before: add only the bench therapists it does not have yet.
                have = set(
                    User.objects.filter(email__in=BENCH_THERAPISTS).values_list("email", flat=True)
                )
                plan = [(e, size, n) for e, (size, n) in BENCH_THERAPISTS.items() if e not in have]
                if not plan:
                    self.stdout.write("The scale practice is complete; delete it to regenerate.")
                    return
            else:
                plan = [
                    (f"therapist{n}@scale.example", clients_per_therapist, weeks)
                    for n in range(therapists)
                ]
                plan += [
                    (email, size, length) for email, (size, length) in BENCH_THERAPISTS.items()
                ]
            self.build(practice, plan)
        if connection.vendor == "postgresql":
            # Fresh statistics, as autovacuum would gather after such a load;
            # without them the planner guesses the tables are still empty.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Made {User.objects.filter(practice=practice).count()} people, "
                f"{CheckIn.objects.filter(client__practice=practice).count()} check-ins and "
                f"{Flag.objects.filter(client__practice=practice).count()} flags in {elapsed:.0f}s."
            )
        )
        clients = User.objects.clients().filter(practice=practice)
        flagged = clients.filter(pk__in=Flag.objects.worth_raising().values("client")).count()
        mentioned = clients.filter(pk__in=Flag.objects.open().values("client")).count()
        total = clients.count()
        self.stdout.write(
            f"Clients with something worth raising: {flagged} of {total} "
            f"({flagged / total:.1%}); with anything open, mentions included: {mentioned} "
            f"({mentioned / total:.1%})."
        )

    def build(self, practice, plan):
        therapists = User.objects.bulk_create(
            User(
                email=email,
                password=self.password,
                first_name="Therapist",
                last_name=str(n),
                role=Role.THERAPIST,
                practice=practice,
            )
            for n, (email, _, _) in enumerate(plan)
        )
        leads = []
        if not User.objects.filter(email=LEAD_EMAIL).exists():
            leads.append(
                User.objects.create(
                    email=LEAD_EMAIL,
                    password=self.password,
                    first_name="Clinical",
                    last_name="Lead",
                    practice=practice,
                    is_clinical_lead=True,
                )
            )
        for person in [*therapists, *leads]:
            TOTP.activate(person, DEMO_TOTP_SECRET)
        self.progress("therapists", len(therapists), len(therapists))

        clients, owners, lengths = [], [], []
        for therapist, (email, size, length) in zip(therapists, plan, strict=True):
            for c in range(size):
                clients.append(
                    User(
                        email=f"client{c}.{email}",
                        password=self.password,
                        first_name="Client",
                        last_name=f"{therapist.last_name}-{c}",
                        role=Role.CLIENT,
                        practice=practice,
                    )
                )
                owners.append(therapist)
                lengths.append(length)
        clients = User.objects.bulk_create(clients, batch_size=BATCH)
        EmailAddress.objects.bulk_create(
            (
                EmailAddress(user=u, email=u.email, verified=True, primary=True)
                for u in [*therapists, *leads, *clients]
            ),
            batch_size=BATCH,
        )
        CaseloadAssignment.objects.bulk_create(
            (
                # On the caseload from the week before their first check-in.
                CaseloadAssignment(
                    client=c, therapist=t, started_at=self.now - timedelta(weeks=length + 1)
                )
                for c, t, length in zip(clients, owners, lengths, strict=True)
            ),
            batch_size=BATCH,
        )
        self.progress("clients", len(clients), len(clients))

        pending_checkins, pending_flags, made = [], [], 0
        for index, (client, length) in enumerate(zip(clients, lengths, strict=True)):
            history = self.history(client, length)
            pending_checkins += history
            reading = read_week(history, self.t)
            if history:  # the week's reading, stored as the submit stores it
                history[-1].trajectory = reading.trajectory
            findings = evaluate(
                history, current_week=week_start_for(self.now, client.tz), t=self.t, reading=reading
            )
            for f in findings.values():
                flag = Flag(
                    client=client,
                    kind=f.kind,
                    severity=f.severity,
                    score=f.score,
                    opened_at=self.now,
                )
                flag.word(f.summary, f.evidence)
                pending_flags.append(flag)
            if len(pending_checkins) >= BATCH or index == len(clients) - 1:
                CheckIn.objects.bulk_create(pending_checkins, batch_size=BATCH)
                MeasureResponse.objects.bulk_create(
                    self.responses(pending_checkins), batch_size=BATCH
                )
                Flag.objects.bulk_create(pending_flags, batch_size=BATCH)
                made += len(pending_checkins)
                pending_checkins, pending_flags = [], []
                self.progress("clients with history", index + 1, len(clients), f"{made} check-ins")
        assert Authenticator.objects.filter(user__in=therapists).count() == len(therapists)

    def history(self, client, length: int) -> list[CheckIn]:
        """The client's check-ins, the PHQ-9 and GAD-7 answered every other week (the
        practice default) and set on each check-in for the rules to read."""
        pattern = pick_pattern(self.rng)
        this_week = week_start_for(self.now, client.tz)
        rows = []
        for i in range(length):
            answers = week_answers(pattern, i, length, self.rng)
            if answers is None:
                continue
            week = this_week - timedelta(weeks=length - i)
            checkin = CheckIn(
                client=client,
                week_start=week,
                submitted_at=self.now - timedelta(weeks=length - i),
                share_text_with_therapist=True,
                **answers,
            )
            checkin.measure_answers = {}
            if i % 2 == 0:
                scores = week_scores(pattern, i, length, self.rng)
                checkin.measure_answers = {
                    PHQ9.key: example_answers(PHQ9, scores["phq9"], safety=scores["item9"]),
                    GAD7.key: example_answers(GAD7, scores["gad7"]),
                }
            rows.append(checkin)
        return rows

    @staticmethod
    def responses(checkins: list[CheckIn]) -> list[MeasureResponse]:
        return [
            MeasureResponse(
                checkin=checkin,
                client_id=checkin.client_id,
                week_start=checkin.week_start,
                instrument=key,
                answers=answers,
                total=total(INSTRUMENTS[key], answers),
            )
            for checkin in checkins
            for key, answers in checkin.measure_answers.items()
        ]

    def progress(self, what: str, done: int, total: int, extra: str = "") -> None:
        width = 30
        bar = "#" * (width * done // max(total, 1))
        self.stdout.write(f"[{bar:<{width}}] {done}/{total} {what} {extra}".rstrip())
