"""Create the demo practice: people, caseloads and check-in history.

Safe to run again: people are looked up by email, and history is only added
for weeks that have none.
"""

from collections import Counter
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone, translation

from checkins.agenda import add_item, consider_stopping, mark_talked_about, stopping_steps
from checkins.demo import demo_history
from checkins.models import AgendaItem, CheckIn, Flag, FlagKind, week_start_for
from checkins.selectors import client_reading
from checkins.services import recompute_flags, submit_checkin
from portal.models import (
    DEFAULT_CRISIS_CONTACTS,
    CaseloadAssignment,
    CrisisContact,
    Practice,
    Role,
    User,
)
from portal.services import create_client

DEMO_PASSWORD = "demo-checkin-2026"  # noqa: S105 - published demo sign-in
PRACTICE_NAME = "Riverside Counselling (demo)"

THERAPISTS = [
    ("maya.okafor@demo.example", "Maya", "Okafor"),
    ("daniel.reyes@demo.example", "Daniel", "Reyes"),
    ("ana.beltran@demo.example", "Ana", "Beltrán"),
]

# (email, first name, last name, therapist index, pattern of weekly history).
# One of each pattern worth a therapist's attention, among clients for whom
# therapy is going fine, as most clients' is: a caseload where everyone is
# flagged teaches a therapist to ignore the flags. Outcome-monitoring systems
# flag roughly 10-15% of clients; each demo therapist has 10-25% worth raising
# (a showcase needs a few of each), the rest ordinary clients (see
# checkins.demo.ORDINARY).
CLIENTS = [
    ("alex.morgan@demo.example", "Alex", "Morgan", 0, "steady progress"),
    ("quinn.adams@demo.example", "Quinn", "Adams", 0, "settled"),
    ("harper.cole@demo.example", "Harper", "Cole", 0, "improving, one busy week"),
    ("rowan.diaz@demo.example", "Rowan", "Diaz", 0, "settled"),
    ("blake.foster@demo.example", "Blake", "Foster", 1, "steady progress"),
    ("emery.grant@demo.example", "Emery", "Grant", 1, "settled"),
    ("finley.hart@demo.example", "Finley", "Hart", 1, "improving, one busy week"),
    ("sam.lee@demo.example", "Sam", "Lee", 0, "rising discomfort"),
    ("jordan.patel@demo.example", "Jordan", "Patel", 0, "homework dropping"),
    ("casey.nguyen@demo.example", "Casey", "Nguyen", 0, "stalled after many sessions"),
    ("riley.brooks@demo.example", "Riley", "Brooks", 0, "stopped checking in"),
    ("taylor.kim@demo.example", "Taylor", "Kim", 1, "crisis answer"),
    ("jamie.silva@demo.example", "Jamie", "Silva", 1, "expectations unmet"),
    ("morgan.weiss@demo.example", "Morgan", "Weiss", 1, "new, with barriers"),
    ("avery.chen@demo.example", "Avery", "Chen", 1, "deteriorating"),
    ("mateo.rojas@demo.example", "Mateo", "Rojas", 2, "rising discomfort"),
    ("sofia.ramirez@demo.example", "Sofía", "Ramírez", 2, "steady progress"),
    # Maya Okafor's ordinary clients.
    ("noah.bennett@demo.example", "Noah", "Bennett", 0, "doing well"),
    ("lena.fischer@demo.example", "Lena", "Fischer", 0, "slowly improving"),
    ("marcus.johnson@demo.example", "Marcus", "Johnson", 0, "a barrier once"),
    ("aisha.rahman@demo.example", "Aisha", "Rahman", 0, "a bad week, recovered"),
    ("ethan.walsh@demo.example", "Ethan", "Walsh", 0, "slowly improving"),
    ("grace.obi@demo.example", "Grace", "Obi", 0, "doing well"),
    ("tomasz.kowalski@demo.example", "Tomasz", "Kowalski", 0, "a bad week, recovered"),
    ("hana.sato@demo.example", "Hana", "Sato", 0, "a barrier once"),
    ("oliver.brandt@demo.example", "Oliver", "Brandt", 0, "doing well"),
    ("chloe.martin@demo.example", "Chloe", "Martin", 0, "slowly improving"),
    # Daniel Reyes's ordinary clients.
    ("david.cohen@demo.example", "David", "Cohen", 1, "a barrier once"),
    ("fatima.haddad@demo.example", "Fatima", "Haddad", 1, "slowly improving"),
    ("liam.oconnor@demo.example", "Liam", "O'Connor", 1, "doing well"),
    ("mei.lin@demo.example", "Mei", "Lin", 1, "a bad week, recovered"),
    ("kwame.mensah@demo.example", "Kwame", "Mensah", 1, "doing well"),
    ("sara.lindqvist@demo.example", "Sara", "Lindqvist", 1, "slowly improving"),
    ("jack.murphy@demo.example", "Jack", "Murphy", 1, "a barrier once"),
    ("nadia.petrova@demo.example", "Nadia", "Petrova", 1, "a bad week, recovered"),
    ("omar.farouk@demo.example", "Omar", "Farouk", 1, "doing well"),
    ("ruth.abernathy@demo.example", "Ruth", "Abernathy", 1, "slowly improving"),
    ("ben.tanaka@demo.example", "Ben", "Tanaka", 1, "a barrier once"),
    ("zoe.papadopoulos@demo.example", "Zoe", "Papadopoulos", 1, "doing well"),
    ("isaac.greene@demo.example", "Isaac", "Greene", 1, "a bad week, recovered"),
    ("maria.costa@demo.example", "Maria", "Costa", 1, "slowly improving"),
    # Ana Beltrán's ordinary clients, who read and write Spanish.
    ("lucia.fernandez@demo.example", "Lucía", "Fernández", 2, "doing well"),
    ("javier.morales@demo.example", "Javier", "Morales", 2, "slowly improving"),
    ("camila.torres@demo.example", "Camila", "Torres", 2, "a bad week, recovered"),
    ("diego.herrera@demo.example", "Diego", "Herrera", 2, "a barrier once"),
    ("valentina.cruz@demo.example", "Valentina", "Cruz", 2, "doing well"),
    ("andres.vega@demo.example", "Andrés", "Vega", 2, "slowly improving"),
    ("gabriela.soto@demo.example", "Gabriela", "Soto", 2, "a bad week, recovered"),
]

# Who reads the portal in Spanish: a therapist and her clients. What the
# clients write, they write in Spanish; nobody's words are translated.
SPANISH = {"ana.beltran@demo.example"} | {email for email, *_, index, _ in CLIENTS if index == 2}
IN_SPANISH = {
    "Feel less anxious at work": "Sentirme menos ansiosa en el trabajo",
    "I find it hard to say when a session upsets me.": (
        "Me cuesta decir cuándo una sesión me molesta."
    ),
    "Sleep through the night again": "Volver a dormir toda la noche",
    "Handle stress at work better": "Manejar mejor el estrés del trabajo",
    "Feel closer to my family": "Sentirme más cerca de mi familia",
    "Stop avoiding my friends": "Dejar de evitar a mis amigos",
    "Feel like myself again": "Volver a sentirme yo",
    "A hard week: my father was in hospital.": (
        "Una semana difícil: mi padre estuvo en el hospital."
    ),
    "I lost my temper at work and it shook me.": (
        "Perdí la paciencia en el trabajo y eso me afectó mucho."
    ),
    "We had to move out at short notice.": "Tuvimos que mudarnos de un día para otro.",
    "Things are going well; I want to keep the routines going.": (
        "Las cosas van bien; quiero mantener mis rutinas."
    ),
}


def language_of(email: str) -> str:
    return "es" if email in SPANISH else "en"


def in_their_words(client: User, text: str) -> str:
    return IN_SPANISH.get(text, text) if client.language == "es" else text


# About four months of weekly check-ins.
HISTORY_WEEKS = 16

ADMIN_EMAIL = "admin@demo.example"
# The practice's clinical lead: sees the outcomes page, no client's own data.
LEAD = ("priya.nair@demo.example", "Priya", "Nair")
ON_CALL_EMAIL = "on-call@demo.example"

# Therapists and staff must use two-factor sign-in. The demo accounts share
# this published secret: add it to an authenticator app, or run
# `manage.py seed_demo --totp-code` for the current code.
DEMO_TOTP_SECRET = "DEMODEMODEMODEMODEMODEMODEMODEMO"  # noqa: S105 - published demo secret


def demo_totp_code() -> str:
    counter = next(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter))


class Command(BaseCommand):
    help = "Create (or top up) the demo practice and print its sign-ins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--totp-code",
            action="store_true",
            help="Only print the current two-factor code of the demo therapists, lead and admin.",
        )

    @transaction.atomic
    def handle(self, *args, totp_code=False, **options):
        if totp_code:
            self.stdout.write(demo_totp_code())
            return
        practice, _ = Practice.objects.get_or_create(
            name=PRACTICE_NAME,
            defaults={"on_call_name": "Practice on-call line", "on_call_email": ON_CALL_EMAIL},
        )
        if not practice.crisis_contacts.exists():
            for position, contact in enumerate(DEFAULT_CRISIS_CONTACTS):
                words = {}
                for language in ("en", "es"):
                    with translation.override(language):
                        words[f"name_{language}"] = str(contact.name)
                        words[f"hours_{language}"] = str(contact.hours)
                CrisisContact.objects.create(
                    practice=practice,
                    call_number=contact.call_number,
                    text_number=contact.text_number,
                    text_message=contact.text_message,
                    language=contact.language,
                    position=position,
                    **words,
                )
        admin = self._person(ADMIN_EMAIL, "Jo", "Bennett", role="", practice=practice)
        if not admin.is_staff:
            admin.is_staff = admin.is_superuser = True
            admin.save(update_fields=["is_staff", "is_superuser"])

        lead = self._person(*LEAD, role="", practice=practice)
        if not lead.is_clinical_lead:
            lead.is_clinical_lead = True
            lead.save(update_fields=["is_clinical_lead"])
        therapists = [
            self._person(email, first, last, role=Role.THERAPIST, practice=practice)
            for email, first, last in THERAPISTS
        ]
        now = timezone.now()
        seen: Counter = Counter()
        for number, (email, first, last, index, pattern) in enumerate(CLIENTS, start=1):
            rows = demo_history(pattern, weeks=HISTORY_WEEKS, variant=seen[pattern])
            seen[pattern] += 1
            client = User.objects.filter(email=email).first()
            if client is None:
                client = create_client(
                    therapist=therapists[index],
                    email=email,
                    password=DEMO_PASSWORD,
                    first_name=first,
                    last_name=last,
                    # 555-01xx numbers are reserved for fiction: no one answers them;
                    # one each, so no two clients share a line.
                    phone=f"+1 555 01{number:02d}",
                    language=language_of(email),
                )
                # On the caseload from the week before their first check-in.
                first = next(i for i, row in enumerate(rows) if row is not None)
                CaseloadAssignment.objects.filter(client=client).update(
                    started_at=now - timedelta(weeks=len(rows) - first + 1)
                )
            self._history(client, rows, now=now)
            # Flags that come from time passing (check-ins stopped) need a
            # recompute as of today, as the daily job would do.
            recompute_flags(client=client, now=now)
            if not AgendaItem.objects.filter(client=client).exists():
                self._agenda(client, pattern, therapist=therapists[index])

        self.stdout.write(self.style.SUCCESS(f"Demo practice ready: {practice.name}"))
        for person in [admin, lead, *therapists]:
            if not Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists():
                TOTP.activate(person, DEMO_TOTP_SECRET)
                RecoveryCodes.activate(person)
        self.stdout.write(f"Every demo account's password: {DEMO_PASSWORD}")
        self.stdout.write(
            "Therapists, the clinical lead and the administrator also give a two-factor code: "
            f"add the secret {DEMO_TOTP_SECRET} to an authenticator app, or run "
            "`python manage.py seed_demo --totp-code`."
        )
        self.stdout.write(f"  administrator  {ADMIN_EMAIL}  (Django admin at /admin/)")
        self.stdout.write(f"  clinical lead  {LEAD[0]}  (practice outcomes at /outcomes/)")
        for email, *_ in THERAPISTS:
            spanish = " (reads Spanish)" if email in SPANISH else ""
            self.stdout.write(f"  therapist      {email}{spanish}")
        for email, *_, pattern in CLIENTS:
            spanish = ", reads Spanish" if email in SPANISH else ""
            self.stdout.write(f"  client         {email:28} ({pattern}{spanish})")

    def _agenda(self, client: User, pattern: str, *, therapist: User) -> None:
        """The agenda loop at each of its points: a trend and the client's own words
        waiting for the session, a conversation the next check-in asks about, and a
        client thinking of stopping."""
        flags = {flag.kind: flag for flag in Flag.objects.active().filter(client=client)}
        if pattern == "rising discomfort":
            add_item(client=client, flag=flags[FlagKind.DISCOMFORT])
            add_item(
                client=client,
                text=in_their_words(client, "I find it hard to say when a session upsets me."),
            )
        elif pattern == "homework dropping":
            item = add_item(client=client, text="The breathing exercise feels pointless.")
            mark_talked_about(item=item, by=therapist, note="Agreed to try a shorter version.")
        elif pattern == "expectations unmet":
            reading = client_reading(client, week_start=week_start_for(timezone.now(), client.tz))
            steps = stopping_steps(reading)
            consider_stopping(client=client, steps_read=[s.title for s in steps])

    def _history(self, client: User, rows: list[dict | None], *, now) -> None:
        """Add the pattern's weeks, ending last week, that the client has no check-in for."""
        have = set(CheckIn.objects.filter(client=client).values_list("week_start", flat=True))
        for weeks_ago, row in zip(range(len(rows), 0, -1), rows, strict=True):
            when = now - timedelta(weeks=weeks_ago)
            if row is None or week_start_for(when, client.tz) in have:
                continue
            row = {
                field: in_their_words(client, value) if isinstance(value, str) else value
                for field, value in row.items()
            }
            submit_checkin(client=client, data=row, now=when)

    def _person(self, email, first, last, *, role, practice) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email,
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                role=role,
                practice=practice,
                language=language_of(email),
            )
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user
