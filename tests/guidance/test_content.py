"""The advice is the project's own writing: no run of 8 words from the source articles."""

import os
import re
from pathlib import Path

import pytest

from guidance.content import ADVICE, SOURCES
from guidance.models import Advice

# The articles sit in shared/seeds beside the checkout; SEEDS_DIR points elsewhere.
SEEDS = Path(
    os.environ.get("SEEDS_DIR") or Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
)
RUN = 8


def words(text: str) -> list[str]:
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return re.findall(r"[a-z0-9']+", text.lower())


def runs(text: str, n: int = RUN) -> set[tuple[str, ...]]:
    w = words(text)
    return {tuple(w[i : i + n]) for i in range(len(w) - n + 1)}


@pytest.fixture(scope="module")
def article_runs() -> set[tuple[str, ...]]:
    articles = sorted(SEEDS.glob("*.txt"))
    assert len(articles) == 2, f"expected the two source articles in {SEEDS}"
    found: set[tuple[str, ...]] = set()
    for article in articles:
        found |= runs(article.read_text(encoding="utf-8"))
    return found


def texts(piece) -> list[str]:
    questions = piece["questions"]
    if isinstance(questions, str):
        questions = questions.splitlines()
    return [piece["title"], piece["body"], *questions]


def test_the_run_detector_finds_a_copied_sentence(article_runs):
    article = sorted(SEEDS.glob("*.txt"))[0].read_text(encoding="utf-8")
    copied = " ".join(words(article)[100:110])
    assert runs(copied) & article_runs


@pytest.mark.parametrize("piece", ADVICE, ids=lambda piece: piece["key"])
def test_no_advice_copies_eight_words_from_the_articles(piece, article_runs):
    for text in texts(piece):
        copied = runs(text) & article_runs
        assert not copied, f"{piece['key']}: {[' '.join(r) for r in copied]}"


def test_the_advice_in_the_database_is_original_too(db, article_runs):
    for advice in Advice.objects.values("key", "title", "body", "questions"):
        for text in texts(advice):
            assert not runs(text) & article_runs, advice["key"]


def test_every_piece_names_one_of_the_two_articles():
    assert len(SOURCES) == 2
    for piece in ADVICE:
        assert piece["source"] in SOURCES
        assert piece["audience"] in {"client", "therapist", "both"}


def test_the_migration_loaded_every_piece(db):
    assert set(Advice.objects.values_list("key", flat=True)) == {p["key"] for p in ADVICE}
