"""The advice is the project's own writing: no run of 8 words from the source articles."""

import os
import re
from pathlib import Path

import pytest

from guidance.content import ADVICE, SOURCES, WHEN, credit
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


def source_articles(seeds: Path, *, ci: bool) -> list[Path]:
    """The two articles the advice is written from. A bare clone has no shared/
    beside it, so there the originality checks skip and say why; CI has the
    articles and must run them, so there a missing folder fails. A folder that is
    there but does not hold the two articles is broken, and fails anywhere."""
    if not seeds.is_dir() and not ci:
        pytest.skip(
            f"originality checks need the source articles in {seeds}, which a clone of the "
            "repository does not have; CI runs them (or set SEEDS_DIR to the articles' folder)"
        )
    articles = sorted(seeds.glob("*.txt"))
    if len(articles) != 2:
        pytest.fail(f"expected the two source articles in {seeds}, found {len(articles)}")
    return articles


@pytest.fixture(scope="module")
def article_runs() -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for article in source_articles(SEEDS, ci=bool(os.environ.get("CI"))):
        found |= runs(article.read_text(encoding="utf-8"))
    return found


def test_a_clone_without_the_articles_skips_and_says_why(tmp_path):
    with pytest.raises(pytest.skip.Exception, match="CI runs them"):
        source_articles(tmp_path / "absent", ci=False)


def test_ci_without_the_articles_fails_rather_than_skipping(tmp_path):
    with pytest.raises(pytest.fail.Exception, match="found 0"):
        source_articles(tmp_path / "absent", ci=True)


def test_a_folder_without_both_articles_fails_anywhere(tmp_path):
    (tmp_path / "one.txt").write_text("just one article", encoding="utf-8")
    with pytest.raises(pytest.fail.Exception, match="found 1"):
        source_articles(tmp_path, ci=False)


def texts(piece) -> list[str]:
    questions = piece["questions"]
    if isinstance(questions, str):
        questions = questions.splitlines()
    return [piece["title"], piece["body"], *questions]


def test_the_run_detector_finds_a_copied_sentence(article_runs):
    article = source_articles(SEEDS, ci=True)[0].read_text(encoding="utf-8")
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


def test_every_piece_names_one_of_the_two_articles_or_is_the_portals_safety_guidance():
    assert len(SOURCES) == 2
    for piece in ADVICE:
        if piece["key"] in SAFETY_PIECES:
            assert piece["source"] == "", "the crisis pieces come from neither article"
        else:
            assert piece["source"] in SOURCES, piece["key"]
        assert piece["audience"] in {"client", "therapist", "both"}


# What research says, as the content states it, and whose finding it is. A
# piece (or a reason the rules attach to it) that makes one of these claims
# must name that research; an article is never credited with it.
RESEARCH_CLAIMS = {
    r"\bhalf of (clients|people)\b|eighth session|\d+th session|twenty-sixth": (
        "Howard et al., 1986"
    ),
    r"(not|rarely) get (reliably )?worse before": "Lambert, 2007",
    r"\b13 ?(-|–|to) ?18 sessions": "Hansen, Lambert & Forman, 2002",
    r"clinicians tend to miss": "Hannan et al., 2005",
    r"smallest clinically important change": "Farrar et al., 2001",
    r"alliance to outcome": "Flückiger et al., 2018",
    r"alliance to dropping out|weak alliance": "Sharf et al., 2010",
    r"homework gets done relates to outcome": "Kazantzis et al., 2010",
    r"asking does not put the idea there": "Dazzi et al., 2014",
    r"safety plan": "Stanley & Brown, 2012",
}
SAFETY_PIECES = {"crisis-you-did-the-right-thing", "therapist-crisis-safety"}


def reasons_by_key() -> dict[str, str]:
    """Every reason the rules can attach, gathered from the rule test cases."""
    from tests.guidance.test_rules import CASES, apply

    found: dict[str, str] = {}
    for case in CASES:
        rule, checkins, *_ = case.values
        for match in apply(rule, checkins):
            found[match.key] = found.get(match.key, "") + " " + match.reason
    return found


def uncredited_claims(piece: dict, reasons: str = "") -> list[str]:
    """The research citations a piece's text (and its reasons) call for but do not name."""
    text = " ".join([piece["body"], reasons])
    missing = [
        citation
        for claim, citation in RESEARCH_CLAIMS.items()
        if re.search(claim, text, flags=re.IGNORECASE) and citation not in piece["research"]
    ]
    # Figures, or the word "research", are a research claim: they name a source.
    if re.search(r"\bresearch\b|\d+ ?%|\br = ", text) and not piece["research"]:
        missing.append("a named source")
    return missing


@pytest.mark.parametrize("piece", ADVICE, ids=lambda piece: piece["key"])
def test_a_research_claim_names_its_research_never_only_an_article(piece):
    assert uncredited_claims(piece, reasons_by_key().get(piece["key"], "")) == []


def test_the_research_claim_check_catches_an_uncredited_figure():
    piece = {"body": "About half of clients improve by the eighth session.", "research": ""}
    assert uncredited_claims(piece) == ["Howard et al., 1986"]
    assert uncredited_claims({**piece, "research": "Howard et al., 1986"}) == []


def test_each_figure_is_credited_to_the_study_that_found_it():
    piece = {"body": "About half recover within 13-18 sessions in trials.", "research": ""}
    assert "Hansen, Lambert & Forman, 2002" in uncredited_claims(piece)
    assert "Howard et al., 1986" not in uncredited_claims(piece), "not Howard's figure"
    credited = {**piece, "research": "Hansen, Lambert & Forman, 2002"}
    assert uncredited_claims(credited) == []


def test_advice_shows_the_article_and_the_research_apart():
    assert credit(WHEN, "Howard et al., 1986") == (
        "From the article “When Therapy Doesn't Work: What To Do”. Research: Howard et al., 1986."
    )
    assert credit("", "Stanley & Brown, 2012") == "Research: Stanley & Brown, 2012."


def test_the_migration_loaded_every_piece(db):
    assert set(Advice.objects.values_list("key", flat=True)) == {p["key"] for p in ADVICE}
