"""Advice content, and the record of what advice each check-in was shown."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .content import SOURCES, credit
from .library import library_changed


class Audience(models.TextChoices):
    CLIENT = "client", _("Client")
    THERAPIST = "therapist", _("Therapist")
    BOTH = "both", _("Client and therapist")


class AdviceQuerySet(models.QuerySet):
    """Updates and bulk creates send no signals: they tell the library cache
    themselves (deletes send post_delete, which guidance.apps listens to)."""

    def update(self, **kwargs):
        try:
            return super().update(**kwargs)
        finally:
            library_changed(self.db)

    def bulk_create(self, *args, **kwargs):
        try:
            return super().bulk_create(*args, **kwargs)
        finally:
            library_changed(self.db)

    def active(self):
        return self.filter(is_active=True)

    def for_clients(self):
        return self.active().filter(audience__in=[Audience.CLIENT, Audience.BOTH])


class Advice(models.Model):
    """One piece of advice: a heading, a few sentences, and the article it comes from."""

    key = models.SlugField(
        _("key"), max_length=64, unique=True, help_text=_("Used by the matching rules.")
    )
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("body"), max_length=1200)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    source = models.CharField(
        _("source"),
        max_length=64,
        choices=list(SOURCES.items()),
        blank=True,
        help_text=_(
            "The article the advice comes from; empty for the portal's own safety guidance."
        ),
    )
    research = models.CharField(
        _("research"),
        max_length=200,
        blank=True,
        help_text=_(
            "Research the text states as fact, as authors and year (“Howard et al., 1986”)."
        ),
    )
    questions = models.TextField(
        _("questions"),
        blank=True,
        help_text=_("Open questions for the therapist to ask, one per line."),
    )
    is_active = models.BooleanField(
        _("is active"),
        default=True,
        help_text=_("Inactive pieces are never shown, whatever the rules say."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AdviceQuerySet.as_manager()

    class Meta:
        ordering = ["audience", "title"]
        verbose_name = _("advice")
        verbose_name_plural = _("advice")

    def __str__(self) -> str:
        return self.title

    @property
    def question_list(self) -> list[str]:
        return [line.strip() for line in self.questions.splitlines() if line.strip()]

    @property
    def credit(self) -> str:
        return credit(self.source, self.research)


class ShownAdviceQuerySet(models.QuerySet):
    def for_clients(self):
        """What the client was shown (therapist-only pieces left out)."""
        return self.filter(audience__in=[Audience.CLIENT, Audience.BOTH])


class ShownAdvice(models.Model):
    """A piece of advice as it was shown for one check-in, kept word for word.

    Content and rules may change later; this row still says what the client
    (or their therapist) read that week, and why it was chosen.
    """

    checkin = models.ForeignKey(
        "checkins.CheckIn", on_delete=models.CASCADE, related_name="shown_advice"
    )
    advice = models.ForeignKey(Advice, null=True, on_delete=models.SET_NULL, related_name="+")
    position = models.PositiveSmallIntegerField()
    key = models.SlugField(max_length=64)
    audience = models.CharField(max_length=16, choices=Audience.choices)
    title = models.CharField(max_length=120)
    body = models.TextField()
    source = models.CharField(max_length=200)  # the article's title, as shown then
    research = models.CharField(max_length=200, blank=True)
    reason = models.TextField()
    # The language it was written in: the client's when it was chosen. A reader
    # in another language sees it as it was shown, with its language named.
    language = models.CharField(max_length=8, default="en")

    objects = ShownAdviceQuerySet.as_manager()

    class Meta:
        ordering = ["checkin", "position"]
        constraints = [
            models.UniqueConstraint(fields=["checkin", "position"], name="shown_advice_position"),
        ]
        verbose_name = _("shown advice")
        verbose_name_plural = _("shown advice")

    def __str__(self) -> str:
        return f"{self.title} ({self.checkin})"

    @property
    def credit(self) -> str:
        return credit(self.source, self.research)
