"""Benchmarks at practice scale, on PostgreSQL (`make bench`; never part of the tests).

Each figure is a named check with a target. A ratio is the median of
interleaved rounds (A, B, A, B, ...), so a slow minute on a shared machine
falls on both sides alike, with the 10th to 90th percentile of the rounds
beside it. Results go to bench/results/latest.json (`checks`: name, value,
target, op, met) and latest.md; the command exits non-zero when any check
misses, or when a named check is not measured yet.
"""

import gzip
import http.client
import json
import os
import platform
import re
import socket
import socketserver
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"

os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
# As in production: sessions, lockouts and cached rows in Redis, shared by every
# gunicorn worker (a database of its own, apart from the tests' and the demo's).
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/2")
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.base"
os.environ["DEBUG"] = "0"  # as in production: no query log, cached templates
os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "k" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
sys.path.insert(0, str(ROOT))

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
LOAD_ROUNDS = int(os.environ.get("BENCH_LOAD_ROUNDS", "3"))
LOAD_SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "4"))
LOAD_CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))

# Every check the benchmark owes, in the order it prints them. A name here that
# the run did not measure fails the run as surely as a miss.
CHECK_NAMES = (
    "dashboard_30_vs_floor",
    "dashboard_150_vs_floor",
    "client_page_520_vs_4_weeks",
    "session_prep_520_vs_4_weeks",
    "client_history_520_vs_4_weeks",
    "submit_vs_plain_save",
    "signed_in_trivial_vs_anonymous_trivial",
    "dashboard_throughput_vs_signed_in_trivial",
    "submit_throughput_vs_signed_in_trivial",
    "load_errors",
    "dashboard_150_transfer_kib",
    "explain_seq_scans",
    "outcomes_vs_its_sql",
    "recompute_all_vs_floor",
    "reminders_send_vs_floor",
)


def ensure_database() -> None:
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        sys.exit("The benchmark runs on PostgreSQL: set DATABASE_URL to a postgres:// URL.")
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def summary(values: list[float]) -> dict:
    return {
        "median": round(statistics.median(values), 3),
        "p10": round(percentile(values, 0.1), 3),
        "p90": round(percentile(values, 0.9), 3),
    }


def _ms(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def interleaved(a, b, rounds: int = ROUNDS, warmup: int = 2) -> dict:
    """A against B in alternating rounds: the median and spread of the rounds'
    ratios, and each side's median time."""
    for _ in range(warmup):
        a()
        b()
    a_ms, b_ms = [], []
    for _ in range(rounds):
        a_ms.append(_ms(a))
        b_ms.append(_ms(b))
    ratios = [x / y for x, y in zip(a_ms, b_ms, strict=True)]
    return {
        "ratio": summary(ratios),
        "a_ms": summary(a_ms),
        "b_ms": summary(b_ms),
        "rounds": rounds,
    }


def check(results, name, value, target, op, *, detail="", measured=None) -> None:
    assert name in CHECK_NAMES, name
    met = {"<=": value <= target, ">=": value >= target, "==": value == target}[op]
    results["checks"].append(
        {
            "name": name,
            "value": value,
            "target": target,
            "op": op,
            "met": met,
            "detail": detail,
            **({"measured": measured} if measured else {}),
        }
    )


def ratio_check(results, name, pair: dict, target, op, a: str, b: str) -> None:
    r = pair["ratio"]
    check(
        results,
        name,
        round(r["median"], 2),
        target,
        op,
        detail=(
            f"{a} {pair['a_ms']['median']:.1f} ms against {b} {pair['b_ms']['median']:.1f} ms; "
            f"rounds p10-p90 {r['p10']:.2f}-{r['p90']:.2f}"
        ),
        measured=pair,
    )


def signed_in(email: str):
    from django.test import Client

    from portal.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def get(client, path: str, **headers):
    def fetch():
        response = client.get(path, **headers)
        assert response.status_code == 200, (path, response.status_code)
        return response

    return fetch


def dashboard_checks(results: dict) -> None:
    from django.template.loader import render_to_string
    from django.test import RequestFactory
    from django.utils import timezone

    from checkins.dashboard import build_rows, fetch_caseload, render_rows
    from checkins.pages import DASHBOARD_FILTERS
    from portal.models import Invitation, User

    for name, email in [
        ("dashboard_30_vs_floor", "bench-30@scale.example"),
        ("dashboard_150_vs_floor", "bench-150@scale.example"),
    ]:
        therapist = User.objects.get(email=email)
        request = RequestFactory().get("/caseload/")
        request.user = therapist
        data = fetch_caseload(therapist, now=timezone.now())  # read once, kept in memory
        invitations = list(Invitation.objects.pending().filter(therapist=therapist))

        def floor(data=data, request=request, invitations=invitations):
            """The same page from data already in memory: shape it, render every row
            (no cache), render the page."""
            context = {
                "rows": render_rows(build_rows(data), cached=False),
                "show": "all",
                "show_label": DASHBOARD_FILTERS["all"],
                "filters": DASHBOARD_FILTERS,
                "invitations": invitations,
            }
            render_to_string("portal/caseload.html", context, request=request)

        pair = interleaved(get(signed_in(email), "/caseload/"), floor)
        ratio_check(results, name, pair, 1.5, "<=", "page", "HTML from memory")

    packed = signed_in("bench-150@scale.example").get("/caseload/", HTTP_ACCEPT_ENCODING="gzip")
    plain = len(gzip.decompress(packed.content)) if packed.get("Content-Encoding") else None
    check(
        results,
        "dashboard_150_transfer_kib",
        round(len(packed.content) / 1024, 1),
        100,
        "<=",
        detail=(f"{plain / 1024:.0f} KiB of HTML, gzip" if plain else "sent uncompressed"),
    )


def history_checks(results: dict) -> None:
    """Pages that read a client's history, for 520 weeks against 4."""
    from portal.models import User

    long_client = User.objects.get(email="client0.bench-520@scale.example")
    short_client = User.objects.get(email="client0.bench-30-short@scale.example")
    long_therapist = signed_in("bench-520@scale.example")
    short_therapist = signed_in("bench-30-short@scale.example")
    for name, path in [
        ("client_page_520_vs_4_weeks", "/clients/{}/"),
        ("session_prep_520_vs_4_weeks", "/clients/{}/prep/"),
    ]:
        pair = interleaved(
            get(long_therapist, path.format(long_client.public_id)),
            get(short_therapist, path.format(short_client.public_id)),
        )
        ratio_check(results, name, pair, 1.3, "<=", "520 weeks", "4 weeks")
    pair = interleaved(
        get(signed_in(long_client.email), "/checkin/history/"),
        get(signed_in(short_client.email), "/checkin/history/"),
    )
    ratio_check(results, "client_history_520_vs_4_weeks", pair, 1.3, "<=", "520 weeks", "4 weeks")


def submit_check(results: dict) -> None:
    from checkins.forms import CheckInForm
    from checkins.models import CheckIn
    from checkins.services import submit_checkin
    from portal.models import User
    from tests.factories import form_data

    client = User.objects.get(email="client0.bench-30@scale.example")
    data = form_data(wellbeing=6, discomfort=1, sessions_attended=400)

    def submit():
        form = CheckInForm(data, instance=CheckIn.objects.filter(client=client).first())
        assert form.is_valid(), form.errors
        submit_checkin(client=client, data=form.answers())

    submit()  # the week's row exists from here on: both sides update it
    row = CheckIn.objects.filter(client=client).order_by("-week_start").first()
    pair = interleaved(submit, row.save)
    ratio_check(results, "submit_vs_plain_save", pair, 4, "<=", "submit", "plain save")


def explain_check(results: dict) -> None:
    """No sequential scan on any table of over 1,000 rows in the plans of the
    dashboard, the client page and session prep."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.models import User

    long_client = User.objects.get(email="client0.bench-520@scale.example")
    pages = [
        ("bench-150@scale.example", "/caseload/"),
        ("bench-520@scale.example", f"/clients/{long_client.public_id}/"),
        ("bench-520@scale.example", f"/clients/{long_client.public_id}/prep/"),
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples > 1000")
        big = {name for (name,) in cursor.fetchall()}
    found = []
    for email, path in pages:
        client = signed_in(email)
        with CaptureQueriesContext(connection) as queries:
            get(client, path)()
        with connection.cursor() as cursor:
            for query in queries.captured_queries:
                if not query["sql"].startswith(("SELECT", "WITH")):
                    continue
                cursor.execute("EXPLAIN " + query["sql"])
                plan = "\n".join(line for (line,) in cursor.fetchall())
                for table in re.findall(r"Seq Scan on (\w+)", plan):
                    if table in big:
                        found.append(f"{path.split('/')[1]}: {table}")
    check(
        results,
        "explain_seq_scans",
        len(found),
        0,
        "==",
        detail="; ".join(sorted(set(found))) or "none on tables over 1,000 rows",
    )


def outcomes_check(results: dict) -> None:
    """The clinical lead's outcomes page for the whole scale practice, against the
    same SQL statements sent straight to PostgreSQL through one cursor: what
    Django, the view and the template add."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from checkins.management.commands.seed_scale import LEAD_EMAIL

    page = get(signed_in(LEAD_EMAIL), "/outcomes/")
    with CaptureQueriesContext(connection) as captured:
        page()
    statements = [q["sql"] for q in captured.captured_queries]

    def floor():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                if cursor.description:
                    cursor.fetchall()

    pair = interleaved(page, floor, rounds=max(5, ROUNDS // 3))
    ratio_check(results, "outcomes_vs_its_sql", pair, 1.5, "<=", "page", "its SQL")
    results["checks"][-1]["detail"] += f"; {len(statements)} queries"


def recompute_check(results: dict) -> None:
    """The nightly recompute of every active client's flags (the management
    command, as the scheduler runs it), against its floor: reading the same
    clients' recent check-ins in one query and writing their active flags back
    in one bulk statement (in a transaction rolled back, so nothing changes)."""
    from io import StringIO

    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from checkins.models import CheckIn, Flag
    from checkins.services import HISTORY_WINDOW, RULES_READ
    from portal.models import User

    clients = User.objects.clients().filter(is_active=True)

    def recompute():
        call_command("recompute_flags", stdout=StringIO())

    def floor():
        since = timezone.localdate() - timedelta(weeks=HISTORY_WINDOW)
        list(CheckIn.objects.filter(client__in=clients, week_start__gte=since).only(*RULES_READ))
        with transaction.atomic():
            flags = list(Flag.objects.active().filter(client__in=clients))
            Flag.objects.bulk_update(
                flags, ["severity", "score", "summary", "evidence"], batch_size=len(flags) or 1
            )
            transaction.set_rollback(True)

    pair = interleaved(recompute, floor, rounds=3, warmup=0)
    ratio_check(
        results, "recompute_all_vs_floor", pair, 3, "<=", "recompute", "one read and one write"
    )
    results["checks"][-1]["detail"] += f"; {clients.count():,} clients"


class SinkHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP to take mail and keep none of it: the reminders' far end."""

    def handle(self):
        self.wfile.write(b"220 sink\r\n")
        in_data = False
        while line := self.rfile.readline():
            if in_data:
                if line == b".\r\n":
                    in_data = False
                    self.wfile.write(b"250 kept nowhere\r\n")
                continue
            command = line[:4].upper()
            if command == b"DATA":
                in_data = True
                self.wfile.write(b"354 go on\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


# Reminders sent per round: a slice of the Friday peak, the same slice each time.
REMINDER_PEAK = int(os.environ.get("BENCH_REMINDERS", "1000"))


def reminders_check(results: dict) -> None:
    """The Friday peak as the task workers send it (each reminder rendered, claimed
    and sent), to an SMTP sink on localhost, against sending the same messages,
    rendered beforehand, over one connection to the same sink."""
    from django.core import mail
    from django.core.mail import get_connection
    from django.test.utils import override_settings
    from django.utils import timezone

    from checkins.models import NotificationKind, SentNotification, week_start_for
    from checkins.notifications import deliver_reminders
    from checkins.tasks import REMINDER_BATCH
    from portal.models import User

    now = timezone.now()
    clients = list(User.objects.clients().filter(is_active=True).order_by("pk")[:REMINDER_PEAK])

    def forget():
        SentNotification.objects.filter(user__in=clients, kind=NotificationKind.REMINDER).delete()

    def peak():
        """As the task workers send them: a batch of REMINDER_BATCH per task."""
        due = [(c, NotificationKind.REMINDER, week_start_for(now, c.tz)) for c in clients]
        for start in range(0, len(due), REMINDER_BATCH):
            deliver_reminders(due[start : start + REMINDER_BATCH])
        forget()

    forget()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        mail.outbox = []
        peak()
        messages = list(mail.outbox)
    sink = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SinkHandler)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    smtp = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": sink.server_address[1],
        "EMAIL_USE_TLS": False,
        "EMAIL_USE_SSL": False,
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
    }

    def floor():
        with get_connection() as connection:
            connection.send_messages(messages)

    try:
        with override_settings(**smtp):
            pair = interleaved(peak, floor, rounds=3, warmup=0)
    finally:
        sink.shutdown()
    ratio_check(results, "reminders_send_vs_floor", pair, 2, "<=", "peak", "one connection")
    results["checks"][-1]["detail"] += f"; {len(messages):,} reminders a round"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, *, cookie=None, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    all_headers = {"Host": "127.0.0.1", **(headers or {})}
    if cookie:
        all_headers["Cookie"] = cookie
    conn.request(method, path, body=body, headers=all_headers)
    response = conn.getresponse()
    data = response.read().decode("utf-8", "replace")
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data


def run_load(fn) -> dict:
    """LOAD_CONCURRENCY threads call `fn` for LOAD_SECONDS; count successes and errors."""
    ok, errors = [0] * LOAD_CONCURRENCY, [0] * LOAD_CONCURRENCY
    deadline = time.monotonic() + LOAD_SECONDS

    def worker(n):
        while time.monotonic() < deadline:
            try:
                if fn(n):
                    ok[n] += 1
                else:
                    errors[n] += 1
            except Exception:  # noqa: BLE001 - an error is a failed request
                errors[n] += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(LOAD_CONCURRENCY)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    return {"requests": sum(ok), "errors": sum(errors), "per_s": sum(ok) / elapsed}


def load_checks(results: dict) -> None:
    """Throughput under LOAD_CONCURRENCY concurrent clients against gunicorn on
    127.0.0.1, in interleaved rounds of each target."""
    port = free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "portal.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            "--workers=3",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env={**os.environ},
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)

        def session_cookie(email):
            return signed_in(email).cookies["sessionid"].value

        therapist_cookie = f"sessionid={session_cookie('bench-30@scale.example')}"
        client_cookies = []
        for n in range(LOAD_CONCURRENCY):
            sid = session_cookie(f"client{n + 1}.bench-150@scale.example")
            status, headers, body = request(port, "GET", "/checkin/", cookie=f"sessionid={sid}")
            csrf_cookie = re.search(r"csrftoken=([^;]+)", headers.get("set-cookie", "")).group(1)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
            client_cookies.append((f"sessionid={sid}; csrftoken={csrf_cookie}", token))

        from tests.factories import form_data

        # Above any earlier week's count, so no reason is needed.
        fields = form_data(wellbeing=6, sessions_attended=400)
        trivial = "/.well-known/security.txt"

        def anonymous(_n):
            return request(port, "GET", trivial)[0] == 200

        def signed_in_trivial(_n):
            return request(port, "GET", trivial, cookie=therapist_cookie)[0] == 200

        def dashboard(_n):
            return request(port, "GET", "/caseload/", cookie=therapist_cookie)[0] == 200

        def submit(n):
            cookie, token = client_cookies[n]
            body = urlencode({**fields, "csrfmiddlewaretoken": token}, doseq=True)
            status = request(
                port,
                "POST",
                "/checkin/",
                cookie=cookie,
                body=body,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Referer": f"http://127.0.0.1:{port}/checkin/",
                },
            )[0]
            return status == 302

        targets = {
            "anonymous trivial": anonymous,
            "signed-in trivial": signed_in_trivial,
            "dashboard": dashboard,
            "submit": submit,
        }
        runs = {name: [] for name in targets}
        for _ in range(LOAD_ROUNDS):
            for name, fn in targets.items():
                runs[name].append(run_load(fn))
    finally:
        server.terminate()
        server.wait(timeout=30)

    def per_s(name):
        return [run["per_s"] for run in runs[name]]

    def throughput(name, a, b, target):
        ratios = [x / y for x, y in zip(per_s(a), per_s(b), strict=True)]
        r = summary(ratios)
        check(
            results,
            name,
            round(r["median"], 2),
            target,
            ">=",
            detail=(
                f"{a} {statistics.median(per_s(a)):.1f}/s against {b} "
                f"{statistics.median(per_s(b)):.1f}/s; rounds p10-p90 {r['p10']:.2f}-{r['p90']:.2f}"
            ),
        )

    throughput(
        "signed_in_trivial_vs_anonymous_trivial", "signed-in trivial", "anonymous trivial", 0.5
    )
    throughput("dashboard_throughput_vs_signed_in_trivial", "dashboard", "signed-in trivial", 0.4)
    throughput("submit_throughput_vs_signed_in_trivial", "submit", "signed-in trivial", 0.4)
    errors = sum(run["errors"] for name in runs for run in runs[name])
    check(
        results,
        "load_errors",
        errors,
        0,
        "==",
        detail=f"{LOAD_CONCURRENCY} concurrent clients, {LOAD_ROUNDS} rounds of "
        f"{LOAD_SECONDS:.0f} s per target, gunicorn with 3 workers",
    )


def machine() -> dict:
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "postgres": subprocess.run(
            ["psql", "--version"], capture_output=True, text=True, check=False
        ).stdout.strip(),
    }


def table(results: dict) -> str:
    by_name = {c["name"]: c for c in results["checks"]}
    rows = ["| check | value | target | met | measured |", "| --- | --- | --- | --- | --- |"]
    for name in CHECK_NAMES:
        c = by_name.get(name)
        if c is None:
            rows.append(f"| `{name}` | not measured | | no | |")
        else:
            met = "yes" if c["met"] else "**no**"
            rows.append(
                f"| `{name}` | {c['value']} | {c['op']} {c['target']} | {met} | {c['detail']} |"
            )
    return "\n".join(rows)


def main() -> None:
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # as in production
    call_command("seed_scale")  # on first use; later, only what is missing
    results = {"machine": machine(), "checks": []}
    dashboard_checks(results)
    history_checks(results)
    submit_check(results)
    explain_check(results)
    outcomes_check(results)
    recompute_check(results)
    reminders_check(results)
    if os.environ.get("BENCH_SKIP_LOAD") != "1":
        load_checks(results)
    measured = {c["name"] for c in results["checks"]}
    results["not_measured"] = [name for name in CHECK_NAMES if name not in measured]
    results["all_met"] = not results["not_measured"] and all(c["met"] for c in results["checks"])
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2))
    where = results["machine"]
    markdown = (
        f"Measured {where['date']} on {where['cores']} cores ({where['cpu']}), "
        f"{where['postgres']}, Python {where['python']}.\n\n{table(results)}\n"
    )
    (RESULTS / "latest.md").write_text(markdown)
    print(markdown)
    if not results["all_met"]:
        missed = [c["name"] for c in results["checks"] if not c["met"]]
        print(
            f"Missed: {', '.join(missed) or 'none'}. Not measured: "
            f"{', '.join(results['not_measured']) or 'none'}."
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
