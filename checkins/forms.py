from collections.abc import Sequence
from functools import cached_property

from crispy_forms.bootstrap import InlineCheckboxes, InlineRadios
from crispy_forms.layout import HTML, Fieldset, Layout, LayoutObject
from crispy_forms.utils import TEMPLATE_PACK
from django import forms
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from clinical.measures import Instrument
from portal.forms import ErrorSummaryMixin, PortalFormHelper, phone_field, time_zone_choices

from .agenda import topic
from .models import (
    AGENDA_TEXT_MAX_LENGTH,
    SESSIONS_MAX,
    WELLBEING_MAX,
    WELLBEING_MIN,
    AgendaItem,
    AgendaOutcome,
    Barrier,
    CheckIn,
    ContactMethod,
    Homework,
    NotificationPreference,
    SafetyActionKind,
)
from .services import ANSWER_FIELDS

HOUR_CHOICES = [(hour, f"{hour:02d}:00") for hour in range(24)]

# Translated when the form shows them.
SESSIONS_LOWER_NEEDS_REASON = gettext_noop(
    "This is fewer sessions than you told us last week ({previous}). "
    "If that is right, please say why in this box."
)
WEEK_CLOSED = gettext_noop(
    "The week you were filling in has just closed. Your answers are still here: "
    "check them and save them for this week."
)


def _sessions_out_of_range() -> str:
    return gettext("Please enter a number between 0 and %(max)s.") % {"max": SESSIONS_MAX}


SESSIONS_TOO_MANY = lazy(_sessions_out_of_range, str)()

EXPECTATION_CHOICES = [
    (1, _("1 — not at all")),
    (2, "2"),
    (3, _("3 — partly")),
    (4, "4"),
    (5, _("5 — completely")),
]
DISCOMFORT_CHOICES = [
    (0, _("0 — not at all")),
    (1, "1"),
    (2, _("2 — somewhat")),
    (3, "3"),
    (4, _("4 — very much")),
]
WELLBEING_CHOICES = [(n, str(n)) for n in range(WELLBEING_MIN, WELLBEING_MAX + 1)]
WELLBEING_CHOICES[0] = (0, _("0 — very bad"))
WELLBEING_CHOICES[-1] = (10, _("10 — very good"))
YES_NO = [(True, _("Yes")), (False, _("No"))]
SHARE_CHOICES = [
    (True, _("My therapist may read what I wrote")),
    (False, _("Keep what I wrote private (only I can see it)")),
]


SESSIONS_SINCE_CHOICES = [(0, pgettext_lazy("sessions", "None")), (1, "1"), (2, "2"), (3, "3")]


class ScaleSelect(forms.RadioSelect):
    """A numbered scale as a row of buttons showing only the numbers (the help text
    says what the ends mean); each radio's accessible label stays whole, "0 — very
    bad", for a screen reader."""

    def create_option(self, name, value, label, *args, **kwargs):
        option = super().create_option(name, value, label, *args, **kwargs)
        number, words = str(value), str(label)
        if words.startswith(number) and words != number:
            option["label"] = format_html(
                '{}<span class="visually-hidden">{}</span>', number, words[len(number) :]
            )
        return option


class Buttons(InlineRadios):
    """Radios (or checkboxes) laid out as a row of tap-sized buttons; still real
    inputs, each with its label."""

    def __init__(self, *fields, look: str = "pills", **kwargs):
        super().__init__(*fields, wrapper_class=f"choice-buttons choice-{look}", **kwargs)


class CheckboxButtons(InlineCheckboxes):
    def __init__(self, *fields, **kwargs):
        super().__init__(*fields, wrapper_class="choice-buttons choice-pills", **kwargs)


class Collapsed(LayoutObject):
    """Optional questions behind a one-line summary, opened by itself whenever one
    of them holds an error or something already written, so neither is hidden."""

    template = "checkins/_collapsed.html"

    def __init__(self, summary: str, *fields):
        self.summary = summary
        self.fields = list(fields)

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        names = [name for name in self.fields if isinstance(name, str) and name in form.fields]
        opened = any(
            form[name].errors
            or (
                isinstance(form.fields[name], forms.CharField)
                and str(form[name].value() or "").strip()
            )
            for name in names
        )
        return render_to_string(
            self.template,
            {
                "summary": self.summary,
                "open": opened,
                "fields": self.get_rendered_fields(form, context, template_pack, **kwargs),
            },
        )


def _to_bool(value):
    return value in (True, "True", "true", "1")


def _radio(
    label: str, choices, coerce=int, widget=forms.RadioSelect, **kwargs
) -> forms.TypedChoiceField:
    """One question answered by picking one of a row of choices."""
    return forms.TypedChoiceField(
        label=label, choices=choices, coerce=coerce, widget=widget, **kwargs
    )


class CheckInForm(ErrorSummaryMixin, forms.ModelForm):
    expectations = _radio(
        _("Therapy is meeting what I hoped for"),
        EXPECTATION_CHOICES,
        widget=ScaleSelect,
        help_text=_("1 means not at all, 5 means completely."),
    )
    discomfort = _radio(
        _("This week I felt uneasy with my therapist or dreaded going"),
        DISCOMFORT_CHOICES,
        widget=ScaleSelect,
        help_text=_(
            "0 means not at all, 4 means very much. Honest answers help; "
            "feeling uneasy sometimes is common and worth talking about."
        ),
    )
    homework = forms.ChoiceField(
        label=_("The work to do between sessions"),
        choices=Homework.choices,
        widget=forms.RadioSelect,
        help_text=_("Exercises, notes or anything you agreed to try before the next session."),
    )
    wellbeing = _radio(
        _("How have you been this week, overall?"),
        WELLBEING_CHOICES,
        widget=ScaleSelect,
        help_text=_("0 means very bad, 10 means very good."),
    )
    felt_worse_after_session = _radio(
        _("Did you feel worse after a session this week?"), YES_NO, coerce=_to_bool
    )
    barriers = forms.MultipleChoiceField(
        label=_("Did anything get in the way of therapy this week?"),
        choices=Barrier.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick any that apply, or none."),
    )
    share_text_with_therapist = _radio(
        _("Who can read what you wrote?"),
        SHARE_CHOICES,
        coerce=_to_bool,
        initial=True,
        help_text=_("This covers every text box on this page."),
    )
    # Asked only of a client who checked in before, whose total it adds to: the
    # week with no new session needs no tap, and no one retypes last week's count.
    sessions_since = forms.TypedChoiceField(
        label=_("How many sessions have you had since your last check-in?"),
        choices=SESSIONS_SINCE_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    # The week the form was opened for: a post that arrives after that week
    # closed must not silently land in the next one.
    week = forms.DateField(widget=forms.HiddenInput, required=False)
    # The questionnaires a form posted after its week closed was answering: kept on
    # the form for the new week, whatever that week asks.
    carried = forms.CharField(widget=forms.HiddenInput, required=False)
    in_crisis = _radio(
        _("Are you in crisis or thinking about harming yourself right now?"),
        YES_NO,
        coerce=_to_bool,
        help_text=_("If yes, we will show you where to get help straight away."),
    )

    class Meta:
        model = CheckIn
        # The barriers are one multiple-choice question on the form.
        fields = [name for name in ANSWER_FIELDS if not name.startswith("barrier_")]
        labels = {
            "sessions_attended": _("How many therapy sessions have you had so far, in total?"),
            "sessions_reason": _("Why is the number lower than last week? (only if it is)"),
            "hoped_for": _("What did you hope to see from therapy? (optional)"),
            "to_raise": _("Is there something you want to raise with your therapist? (optional)"),
        }
        help_texts = {
            "sessions_attended": _("Count every session since you started with your therapist."),
            "to_raise": _("Anything at all: what is working, what is not, a question."),
        }
        widgets = {
            "sessions_attended": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            "hoped_for": forms.Textarea(attrs={"rows": 2}),
            "to_raise": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "sessions_attended": {
                "required": _("Please enter how many sessions you have had (0 is fine)."),
                "max_value": SESSIONS_TOO_MANY,
                "min_value": SESSIONS_TOO_MANY,
                "invalid": _("Please enter a whole number, like 4."),
            },
        }

    def __init__(
        self,
        *args,
        previous: CheckIn | None = None,
        week_start=None,
        instruments: Sequence[Instrument] = (),
        talked_about: Sequence[AgendaItem] = (),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.instruments = list(instruments)
        self.talked_about = list(talked_about)
        self.previous = previous
        self.week_start = week_start
        self.initial["week"] = week_start
        required_choice = gettext("Please choose one answer.")
        for name in (
            "expectations",
            "discomfort",
            "homework",
            "wellbeing",
            "felt_worse_after_session",
            "in_crisis",
            "share_text_with_therapist",
        ):
            self.fields[name].error_messages["required"] = required_choice
            self.fields[name].error_messages["invalid_choice"] = required_choice
        self.fields["sessions_since"].error_messages["invalid_choice"] = required_choice
        self.fields["sessions_attended"].widget.attrs["max"] = SESSIONS_MAX
        if previous is None:
            del self.fields["sessions_since"]
        else:
            self.initial.setdefault("sessions_attended", previous.sessions_attended)
            added = self.initial["sessions_attended"] - previous.sessions_attended
            if added in dict(SESSIONS_SINCE_CHOICES):
                self.initial["sessions_since"] = added
            self.fields["sessions_attended"].widget.attrs["data-last"] = previous.sessions_attended
            self.fields["sessions_attended"].help_text = (
                gettext("Last week you said %(sessions)s.")
                % {"sessions": previous.sessions_attended}
                + " "
                + self.fields["sessions_attended"].help_text
            )
        if self.instance.pk:
            self.initial["barriers"] = self.instance.barriers
        self.helper = PortalFormHelper(gettext("Save my check-in"))
        self.helper.form_class = "checkin-form"
        self.helper.layout = Layout(
            Fieldset(
                gettext("Therapy so far"),
                *self._sessions(),
                css_class="sessions",
            ),
            Fieldset(
                gettext("How it is going"),
                Buttons("expectations", look="scale"),
                Buttons("discomfort", look="scale"),
                Buttons("homework"),
                Buttons("wellbeing", look="scale"),
                Buttons("felt_worse_after_session"),
                CheckboxButtons("barriers"),
            ),
            *self._last_session(),
            *self._questionnaires(),
            Fieldset(
                gettext("Anything else"),
                Collapsed(
                    gettext("Something to write to your therapist? (optional)"),
                    "hoped_for",
                    "to_raise",
                    "share_text_with_therapist",
                ),
                Buttons("in_crisis"),
            ),
            "week",
            "carried",
        )

    def _sessions(self) -> list:
        """The first check-in asks for the total; later ones, the sessions since the
        last, with last week's total filled in. The reason for a lower count waits
        folded away until it is needed."""
        reason = Collapsed(gettext("Fewer sessions than last week?"), "sessions_reason")
        if self.previous is None:
            return ["sessions_attended", reason]
        return [Buttons("sessions_since"), "sessions_attended", reason]

    def _last_session(self) -> list[Fieldset]:
        """One short question per item talked about since the last check-in."""
        names = []
        for item in self.talked_about:
            name = f"agenda_{item.pk}"
            self.fields[name] = _radio(
                gettext("Last session you talked about “%(topic)s”. How did that conversation go?")
                % {"topic": topic(item)},
                AgendaOutcome.choices,
                coerce=str,
                error_messages={
                    "required": gettext("Please choose one answer."),
                    "invalid_choice": gettext("Please choose one answer."),
                },
            )
            names.append(Buttons(name))
        return [Fieldset(gettext("Your last session"), *names)] if names else []

    def _questionnaires(self) -> list[Fieldset]:
        """A fieldset per questionnaire due this week, in its published wording: the
        instructions as the legend, each item with its four answers, the closing
        question (not scored), and the source."""
        given = {key: response.answers for key, response in self._saved_responses.items()}
        fieldsets = []
        for due in self.instruments:
            # In its published wording for the reader's language.
            instrument = due.in_language(translation.get_language())
            names = []
            earlier = given.get(instrument.key) or []
            for number, item in enumerate(instrument.items, start=1):
                name = f"{instrument.key}_{number}"
                self.fields[name] = _radio(
                    f"{number}. {item}",
                    [(o.value, o.label) for o in instrument.options],
                    error_messages={
                        "required": gettext("Please choose one answer."),
                        "invalid_choice": gettext("Please choose one answer."),
                    },
                )
                if len(earlier) >= number:
                    self.initial[name] = earlier[number - 1]
                names.append(Buttons(name, look="grid"))
            if instrument.follow_up:
                name = f"{instrument.key}_follow_up"
                self.fields[name] = _radio(
                    instrument.follow_up,
                    [(o.value, o.label) for o in instrument.follow_up_options],
                    required=False,
                    empty_value=None,
                )
                if instrument.key in self._saved_responses:
                    self.initial[name] = self._saved_responses[instrument.key].follow_up
                names.append(Buttons(name, look="grid"))
            fieldsets.append(
                Fieldset(
                    f"{instrument.short_name}: {instrument.instructions}",
                    *names,
                    HTML(
                        format_html(
                            '<p class="small text-body-secondary measure-source">{}. {}</p>',
                            instrument.name,
                            instrument.source,
                        )
                    ),
                    css_class="questionnaire",
                    css_id=f"questionnaire-{instrument.key}",
                )
            )
        return fieldsets

    @cached_property
    def _saved_responses(self) -> dict:
        """The week's saved questionnaire answers by instrument key, read once."""
        if not (self.instance.pk and self.instruments):
            return {}
        return {r.instrument: r for r in self.instance.measure_responses.all()}

    def clean(self):
        cleaned = super().clean()
        posted_week = cleaned.get("week")
        if posted_week and self.week_start and posted_week != self.week_start:
            # Show the answers again, now for the open week.
            self.data = self.data.copy()
            self.data["week"] = self.week_start.isoformat()
            self.data["carried"] = ",".join(instrument.key for instrument in self.instruments)
            raise forms.ValidationError(gettext(WEEK_CLOSED))
        sessions = cleaned.get("sessions_attended")
        reason = (cleaned.get("sessions_reason") or "").strip()
        previous = self.previous
        since = cleaned.get("sessions_since")
        # Last week's total left as it was: the sessions since are added to it. A
        # total typed in is the client's own count and stands.
        if previous is not None and since and sessions == previous.sessions_attended:
            sessions = previous.sessions_attended + since
            if sessions > SESSIONS_MAX:
                self.add_error("sessions_attended", str(SESSIONS_TOO_MANY))
            else:
                cleaned["sessions_attended"] = sessions
        if (
            previous is not None
            and sessions is not None
            and sessions < previous.sessions_attended
            and not reason
        ):
            self.add_error(
                "sessions_reason",
                gettext(SESSIONS_LOWER_NEEDS_REASON).format(previous=previous.sessions_attended),
            )
        return cleaned

    def safety_answers(self) -> dict:
        """The answers that cannot wait for the rest of the form, as
        `record_safety_answer` takes them: the crisis question, and each safety
        item (PHQ-9 item 9) answered, as far as each was answered validly. Read
        after validation, whether or not the form as a whole is valid."""
        cleaned = getattr(self, "cleaned_data", {})
        items: dict[str, dict[int, int]] = {}
        for instrument in self.instruments:
            for number in instrument.safety_items:
                answer = cleaned.get(f"{instrument.key}_{number}")
                if answer is not None:
                    items.setdefault(instrument.key, {})[number] = answer
        return {"in_crisis": cleaned.get("in_crisis") is True, "safety_items": items}

    def answers(self) -> dict:
        """The cleaned answers, as `submit_checkin` takes them."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        chosen = set(self.cleaned_data.get("barriers") or [])
        for barrier in Barrier:
            data[f"barrier_{barrier.value}"] = barrier.value in chosen
        data["agenda_answers"] = {
            item.pk: self.cleaned_data[f"agenda_{item.pk}"] for item in self.talked_about
        }
        data["measures"] = {
            instrument.key: {
                "answers": [
                    self.cleaned_data[f"{instrument.key}_{n}"]
                    for n in range(1, len(instrument.items) + 1)
                ],
                "follow_up": self.cleaned_data.get(f"{instrument.key}_follow_up"),
            }
            for instrument in self.instruments
        }
        return data


class ReminderForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Your time zone"))
    phone = phone_field(_("Leave it empty to remove it."))

    class Meta:
        model = NotificationPreference
        fields = ["reminders_enabled", "reminder_weekday", "reminder_hour"]
        widgets = {"reminder_hour": forms.Select(choices=HOUR_CHOICES)}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        near = user.practice.time_zone if user.practice else user.time_zone
        self.fields["time_zone"].choices = time_zone_choices(near)
        self.fields["time_zone"].initial = user.time_zone
        self.fields["phone"].initial = user.phone
        self.helper = PortalFormHelper(gettext("Save"))

    def save(self, commit=True):
        self.user.time_zone = self.cleaned_data["time_zone"]
        self.user.phone = self.cleaned_data["phone"].strip()
        self.user.save(update_fields=["time_zone", "phone"])
        return super().save(commit)


class DigestForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["digest_enabled", "digest_hour"]
        widgets = {"digest_hour": forms.Select(choices=HOUR_CHOICES)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper(gettext("Save"))


class RaiseFlagForm(forms.Form):
    raised_on = forms.DateField(
        label=_("Raised in session on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Please enter a date, like 2026-11-20.")},
    )
    note = forms.CharField(
        label=_("Short note"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Please add a short note about what was discussed.")},
    )


class SafetyActionForm(forms.Form):
    """One step on a crisis flag: when it happened, how (for a contact), and a note
    (required to clear)."""

    done_at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"invalid": _("Please enter a date and time, like 2026-11-20 14:30.")},
    )
    method = forms.ChoiceField(label=_("How"), choices=[("", _("Choose…")), *ContactMethod.choices])
    note = forms.CharField(
        label=_("Note"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind != SafetyActionKind.CONTACTED:
            del self.fields["method"]
        if kind == SafetyActionKind.CLEARED:
            self.fields["note"].label = gettext("Why it is cleared")
            self.fields["note"].error_messages["required"] = gettext(
                "Please say why the crisis is cleared (what was done, what was agreed)."
            )
        else:
            self.fields["note"].required = False
            self.fields["note"].label = gettext("Note (optional)")
        if "method" in self.fields:
            self.fields["method"].error_messages["required"] = gettext(
                "Please say how you contacted the client."
            )


class DismissFlagForm(forms.Form):
    reason = forms.CharField(
        label=_("Why dismiss it?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Please give a reason for dismissing this flag.")},
    )


class AgendaItemForm(forms.Form):
    text = forms.CharField(
        label=_("Something to talk about at your next session"),
        max_length=AGENDA_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Your therapist will see this before the session."),
        error_messages={"required": _("Please write what you would like to talk about.")},
    )


class TalkedAboutForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=1000,
        required=False,
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-sm",
                "placeholder": _("Note (optional)"),
                "aria-label": _("Note (optional)"),
            }
        ),
    )
