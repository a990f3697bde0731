"""Benchmarks at practice scale, on PostgreSQL (`make bench`; never part of the tests).

Measures, side by side in one run, each figure against its floor:
  1. the dashboard for 30 and for 150 clients, against rendering the same
     page's HTML from data already in memory;
  2. the dashboard with 104 weeks of history against 4 weeks;
  3. a check-in submit (validate, save, flags, advice) against a plain save
     of the same row;
  4. throughput of dashboard views and check-in submits under concurrent load
     against gunicorn on localhost, against a trivial view on the same server;
  5. the clinical lead's outcomes page for the whole practice, against its own
     SQL sent straight to PostgreSQL.
It also EXPLAINs the dashboard's queries, to show no sequential scan over
the check-ins. Results go to bench/results/latest.json and latest.md.
"""

import http.client
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"

os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.base"
os.environ["DEBUG"] = "0"  # as in production: no query log, cached templates
os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "k" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
sys.path.insert(0, str(ROOT))

REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))
LOAD_SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "10"))
LOAD_CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))


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


def timed(fn, repeat=REPEAT, warmup=3) -> dict:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p10_ms": round(samples[max(0, len(samples) // 10)], 2),
        "p90_ms": round(samples[min(len(samples) - 1, len(samples) * 9 // 10)], 2),
        "stdev_ms": round(statistics.stdev(samples), 2) if len(samples) > 1 else 0.0,
        "runs": len(samples),
    }


def ratio(a: dict, b: dict) -> float:
    return round(a["median_ms"] / b["median_ms"], 2)


def dashboard_benchmarks(results: dict) -> None:
    from django.template.loader import render_to_string
    from django.test import Client, RequestFactory
    from django.utils import timezone

    from checkins.dashboard import build_rows, fetch_caseload
    from checkins.pages import DASHBOARD_FILTERS
    from portal.models import Invitation, User

    def page_for(email):
        therapist = User.objects.get(email=email)
        client = Client()
        client.force_login(therapist)

        def full():
            response = client.get("/caseload/")
            assert response.status_code == 200, response.status_code

        request = RequestFactory().get("/caseload/")
        request.user = therapist
        data = fetch_caseload(therapist, now=timezone.now())  # read once, kept in memory
        invitations = list(Invitation.objects.pending().filter(therapist=therapist))

        def floor():
            """The same page from data already in memory: shape it, render it."""
            context = {
                "rows": build_rows(data),
                "show": "all",
                "show_label": DASHBOARD_FILTERS["all"],
                "filters": DASHBOARD_FILTERS,
                "invitations": invitations,
            }
            render_to_string("portal/caseload.html", context, request=request)

        return full, floor

    for label, email in [
        ("30 clients", "bench-30@scale.example"),
        ("150 clients", "bench-150@scale.example"),
        ("30 clients, 4 weeks", "bench-30-short@scale.example"),
    ]:
        full, floor = page_for(email)
        results["dashboard"][label] = {"page": timed(full), "floor": timed(floor)}
        results["dashboard"][label]["ratio"] = ratio(
            results["dashboard"][label]["page"], results["dashboard"][label]["floor"]
        )
    results["history"] = {
        "104 weeks": results["dashboard"]["30 clients"]["page"],
        "4 weeks": results["dashboard"]["30 clients, 4 weeks"]["page"],
    }
    results["history"]["ratio"] = ratio(
        results["history"]["104 weeks"], results["history"]["4 weeks"]
    )


def submit_benchmark(results: dict) -> None:
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

    def plain_save():
        row.save()

    results["submit"] = {"submit": timed(submit), "plain_save": timed(plain_save)}
    results["submit"]["ratio"] = ratio(results["submit"]["submit"], results["submit"]["plain_save"])


def explain_dashboard(results: dict) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from portal.models import User

    client = Client()
    client.force_login(User.objects.get(email="bench-150@scale.example"))
    with CaptureQueriesContext(connection) as queries:
        client.get("/caseload/")
    plans, seq_scans = [], 0
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            sql = query["sql"]
            if not sql.startswith("SELECT") or "checkins_" not in sql:
                continue
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(line for (line,) in cursor.fetchall())
            seq_scans += len(re.findall(r"Seq Scan on checkins_checkin\b", plan))
            plans.append({"sql": sql[:300], "plan": plan})
    results["explain"] = {
        "queries": len(queries.captured_queries),
        "checkin_queries": len(plans),
        "seq_scans_on_checkins": seq_scans,
        "plans": plans,
    }


def outcomes_benchmark(results: dict) -> None:
    """The clinical lead's outcomes page for the whole scale practice, against the
    database's own work for it: the same SQL statements, sent straight to
    PostgreSQL through one cursor, rows fetched and nothing else. What the
    ratio shows is all Django adds (ORM, view, template, middleware); the
    statements themselves are checked by EXPLAIN for sequential scans of the
    check-ins and questionnaire answers, and their count must not grow."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from checkins.management.commands.seed_scale import LEAD_EMAIL
    from portal.models import User

    client = Client()
    client.force_login(User.objects.get(email=LEAD_EMAIL))

    def page():
        response = client.get("/outcomes/")
        assert response.status_code == 200, response.status_code

    with CaptureQueriesContext(connection) as captured:
        page()
    statements = [q["sql"] for q in captured.captured_queries]

    def floor():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                if cursor.description:
                    cursor.fetchall()

    seq_scans = 0
    with connection.cursor() as cursor:
        for sql in statements:
            if sql.startswith(("SELECT", "WITH")):
                cursor.execute("EXPLAIN " + sql)
                plan = "\n".join(line for (line,) in cursor.fetchall())
                seq_scans += len(
                    re.findall(r"Seq Scan on (checkins_checkin|checkins_measureresponse)\b", plan)
                )
    results["outcomes"] = {
        "page": timed(page, repeat=max(5, REPEAT // 3)),
        "floor": timed(floor, repeat=max(5, REPEAT // 3)),
        "queries": len(statements),
        "seq_scans_on_checkins_and_answers": seq_scans,
        "clients": User.objects.clients().filter(practice__name="Scale test practice").count(),
    }
    results["outcomes"]["ratio"] = ratio(results["outcomes"]["page"], results["outcomes"]["floor"])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_benchmark(results: dict) -> None:
    """A bounded load from this process against gunicorn on 127.0.0.1 only."""
    from django.test import Client

    from portal.models import User

    port = free_port()
    env = {**os.environ}
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "portal.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            "--workers=3",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)

        def session_cookie(email):
            c = Client()
            c.force_login(User.objects.get(email=email))
            return c.cookies["sessionid"].value

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

        def trivial(_n):
            return request(port, "GET", "/.well-known/security.txt")[0] == 200

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

        load = {}
        for name, fn in [
            ("trivial view", trivial),
            ("dashboard", dashboard),
            ("check-in submit", submit),
        ]:
            load[name] = run_load(fn)
        for name in ("dashboard", "check-in submit"):
            load[name]["ratio_to_trivial"] = round(
                load[name]["requests_per_s"] / load["trivial view"]["requests_per_s"], 2
            )
        results["load"] = load
    finally:
        server.terminate()
        server.wait(timeout=30)


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
    return {
        "requests": sum(ok),
        "errors": sum(errors),
        "seconds": round(elapsed, 1),
        "requests_per_s": round(sum(ok) / elapsed, 1),
    }


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
    d, h, s = results["dashboard"], results["history"], results["submit"]
    rows = [
        "| measure | median (ms) | p10-p90 (ms) | against | median (ms) | ratio | target |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for label, target in [("30 clients", ""), ("150 clients", "<= 1.5")]:
        page, floor = d[label]["page"], d[label]["floor"]
        rows.append(
            f"| dashboard, {label} | {page['median_ms']} | {page['p10_ms']}-{page['p90_ms']} "
            f"| same HTML from memory | {floor['median_ms']} | {d[label]['ratio']} | {target} |"
        )
    rows.append(
        f"| dashboard, 104 weeks of history | {h['104 weeks']['median_ms']} "
        f"| {h['104 weeks']['p10_ms']}-{h['104 weeks']['p90_ms']} | 4 weeks "
        f"| {h['4 weeks']['median_ms']} | {h['ratio']} | <= 1.2 |"
    )
    rows.append(
        f"| check-in submit | {s['submit']['median_ms']} "
        f"| {s['submit']['p10_ms']}-{s['submit']['p90_ms']} "
        f"| plain save of the row | {s['plain_save']['median_ms']} | {s['ratio']} | <= 4 |"
    )
    load = results.get("load")
    if load:
        rows += [
            "",
            f"Under load ({LOAD_CONCURRENCY} concurrent clients, {LOAD_SECONDS:.0f} s each, "
            "gunicorn with 3 workers):",
            "",
            "| target | requests/s | errors | ratio to trivial view | target |",
            "| --- | --- | --- | --- | --- |",
        ]
        for name, goal in [("trivial view", ""), ("dashboard", ">= 0.25"), ("check-in submit", "")]:
            item = load[name]
            rows.append(
                f"| {name} | {item['requests_per_s']} | {item['errors']} "
                f"| {item.get('ratio_to_trivial', 1.0)} | {goal} |"
            )
    outcomes = results.get("outcomes")
    if outcomes:
        page, floor = outcomes["page"], outcomes["floor"]
        rows += [
            "",
            f"Practice outcomes for the whole practice ({outcomes['clients']:,} clients, "
            f"the current quarter), {outcomes['queries']} queries, "
            f"{outcomes['seq_scans_on_checkins_and_answers']} sequential scans on the check-ins "
            "or questionnaire answers:",
            "",
            "| measure | median (ms) | p10-p90 (ms) | against | median (ms) | ratio | target |",
            "| --- | --- | --- | --- | --- | --- | --- |",
            f"| outcomes page | {page['median_ms']} | {page['p10_ms']}-{page['p90_ms']} "
            f"| its SQL alone | {floor['median_ms']} | {outcomes['ratio']} | <= 1.5 |",
        ]
    explain = results["explain"]
    rows += [
        "",
        f"EXPLAIN of the 150-client dashboard: {explain['queries']} queries, "
        f"{explain['checkin_queries']} reading check-ins or flags, "
        f"{explain['seq_scans_on_checkins']} sequential scans on the check-ins table.",
    ]
    return "\n".join(rows)


def main() -> None:
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    from portal.models import User

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # as in production
    if not User.objects.filter(email="bench-150@scale.example").exists():
        call_command("seed_scale")
    results = {"machine": machine(), "dashboard": {}}
    dashboard_benchmarks(results)
    submit_benchmark(results)
    explain_dashboard(results)
    outcomes_benchmark(results)
    if os.environ.get("BENCH_SKIP_LOAD") != "1":
        load_benchmark(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2))
    where = results["machine"]
    markdown = (
        f"Measured {where['date']} on {where['cores']} cores ({where['cpu']}), "
        f"{where['postgres']}.\n\n{table(results)}\n"
    )
    (RESULTS / "latest.md").write_text(markdown)
    print(markdown)


if __name__ == "__main__":
    main()
