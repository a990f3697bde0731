"""What a reader notices: ids a screen reader can tell apart, a handled flag's
words in a readable grey, scrolling tables the keyboard reaches, the admin's
pages within the content-security policy, quoted words punctuated once, and
the product's name and time zones in the reader's language."""

import re
from collections import Counter
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from checkins.agenda import add_item, topic_message
from checkins.models import Flag, FlagKind
from checkins.services import submit_checkin
from clinical.text import without_full_stop
from clinical.vocabulary import Severity
from guidance.rules import questions_from_their_words
from portal.forms import time_zone_choices
from portal.models import User
from tests.factories import answers

ROOT = Path(settings.BASE_DIR)


def ids_on(html: str) -> Counter:
    return Counter(re.findall(r'\sid="([^"]+)"', html))


def test_a_client_with_two_crisis_flags_has_no_id_twice_on_their_pages(client, client_a, therapist):
    submit_checkin(client=client_a, data=answers(in_crisis=True))
    Flag.objects.create(
        client=client_a,
        kind=FlagKind.SAFETY_ITEM,
        severity=max(Severity.values),
        score=1,
        summary="Answered item 9",
    )
    client.force_login(therapist)
    for name in ("client_detail", "session_prep"):
        html = client.get(reverse(name, args=[client_a.public_id])).content.decode()
        if name == "client_detail":
            assert html.count('data-kind="crisis"') == html.count('data-kind="safety_item"') == 1
        twice = {key: n for key, n in ids_on(html).items() if n > 1}
        assert not twice, f"{name}: {twice}"


def test_a_handled_flags_tier_reads_in_dark_grey_not_its_faded_border():
    css = (ROOT / "static/css/portal.css").read_text()
    rule = re.search(r"\.flag-handled \.tier-label \{([^}]*)\}", css)
    assert rule, "a handled flag's tier label keeps the faded border colour"
    colour = re.search(r"color:\s*#([0-9a-f]{6})", rule.group(1)).group(1)
    assert contrast_on_white(colour) >= 4.5


def contrast_on_white(hex_colour: str) -> float:
    def channel(c: int) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


def test_every_sideways_scrolling_table_is_a_named_region_the_keyboard_reaches():
    found = 0
    for path in (ROOT / "templates").rglob("*.html"):
        for tag in re.findall(r'<div class="table-responsive[^"]*"[^>]*>', path.read_text()):
            found += 1
            assert 'tabindex="0"' in tag and 'role="region"' in tag, f"{path}: {tag}"
            assert "aria-label=" in tag or "aria-labelledby=" in tag, f"{path}: {tag}"
    assert found >= 4


def test_no_template_the_admin_renders_carries_an_inline_style():
    """An inline style is blocked by the policy (style-src 'self'): the history
    page's list is overridden without one."""
    override = ROOT / "templates/simple_history/object_history_list.html"
    assert override.exists()
    for path in (ROOT / "templates").rglob("*.html"):
        if "email" in path.parts:  # mail clients read styles only inline
            continue
        assert not re.search(r"\sstyle=", path.read_text()), path


def test_admin_user_and_history_pages_have_no_inline_style(client, client_a, therapist, practice):
    from tests.factories import StaffFactory

    staff = StaffFactory(practice=practice)
    submit_checkin(client=client_a, data=answers(in_crisis=True))
    flag = Flag.objects.get(client=client_a, kind=FlagKind.CRISIS)
    client.force_login(staff)
    for url in (
        reverse("admin:portal_user_change", args=[client_a.pk]),
        reverse("admin:portal_user_change", args=[therapist.pk]),
        reverse("admin:checkins_flag_history", args=[flag.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        assert not re.search(r"\sstyle=", response.content.decode()), url


def test_quoted_words_end_on_one_mark():
    assert without_full_stop("It feels pointless.") == "It feels pointless"
    assert without_full_stop("Really?") == "Really?"
    assert without_full_stop("and then...") == "and then..."
    (question,) = questions_from_their_words(
        FlagKind.DISCOMFORT, to_raise="The breathing exercise feels pointless."
    )
    assert "pointless”. Could" in question


def test_an_agenda_topic_ending_in_a_full_stop_is_quoted_once_punctuated(client_a):
    item = add_item(client=client_a, text="The breathing exercise feels pointless.")
    assert topic_message(item) == "The breathing exercise feels pointless"


def test_the_dashboard_lists_mentions_with_one_mark_between_them(client, client_a, therapist):
    submit_checkin(client=client_a, data=answers())
    for kind in (FlagKind.HOMEWORK_FALLING, FlagKind.BARRIERS):
        Flag.objects.create(
            client=client_a,
            kind=kind,
            severity=Severity.LOW,
            score=1,
            summary="Homework done fell from 90% to 20% of what was set.",
        )
    client.force_login(therapist)
    html = client.get(reverse("caseload")).content.decode()
    assert "of what was set; " in html
    assert ".;" not in html and ".." not in re.sub(r"\.\.\.", "", html)


def test_each_demo_client_has_a_phone_number_of_their_own(db):
    call_command("seed_demo", stdout=StringIO())
    phones = list(User.objects.clients().values_list("phone", flat=True))
    assert all(re.fullmatch(r"\+1 555 01\d\d", phone) for phone in phones), phones
    assert len(set(phones)) == len(phones)


def recipe(target: str) -> str:
    makefile = (ROOT / "Makefile").read_text()
    return re.search(rf"^{target}:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)


def test_make_run_seeds_the_demo_with_the_port_it_serves_on():
    """The demo's emails are sent as `make run` seeds it: their links need the
    port the portal then serves on."""
    (line,) = [line for line in recipe("demo").splitlines() if "seed_demo" in line]
    assert "SITE_URL=http://127.0.0.1:$(PORT)" in line


def test_make_test_says_which_tests_it_skipped_and_why():
    assert re.search(r"pytest\s+-rs\b", recipe("test"))
    conftest = (ROOT / "tests/browser/conftest.py").read_text()
    assert "apt-get install -y chromium" in conftest


def test_the_product_name_is_in_the_readers_language(client, client_a):
    client_a.language = "es"
    client_a.save(update_fields=["language"])
    client.force_login(client_a)
    html = client.get(reverse("home"), follow=True).content.decode()
    assert "Portal de registro semanal" in html
    assert "Check-in portal" not in html


def test_time_zones_are_named_by_city_and_country_in_the_readers_language():
    with translation.override("es"):
        labels = dict(time_zone_choices())
        assert labels["America/New_York"] == "Nueva York (Estados Unidos)"
        assert labels["Europe/London"] == "Londres (Reino Unido)"
    with translation.override("en"):
        labels = dict(time_zone_choices())
        assert labels["America/New_York"] == "New York (United States)"
