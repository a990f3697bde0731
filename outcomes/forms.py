from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import ErrorSummaryMixin
from portal.models import Practice, User

from .periods import Period, periods_offered


class OutcomesFilterForm(ErrorSummaryMixin, forms.Form):
    """The period and, optionally, one therapist of the lead's own practice."""

    period = forms.ChoiceField(label=_("Period"), required=False)
    therapist = forms.ModelChoiceField(
        label=_("Therapist"),
        queryset=User.objects.none(),
        required=False,
        to_field_name="public_id",
        empty_label=_("All therapists"),
    )

    def __init__(self, data, *, practice: Practice, today: date):
        super().__init__(data)
        self.periods = {period.key: period for period in periods_offered(today)}
        self.fields["period"].choices = [(p.key, p.label) for p in self.periods.values()]
        self.fields["therapist"].queryset = (
            User.objects.therapists().filter(practice=practice).order_by("first_name", "last_name")
        )

    def chosen(self) -> tuple[Period, User | None]:
        """What to show: what was asked for where it is valid, the defaults (this
        quarter, every therapist) for anything that is not."""
        cleaned = self.cleaned_data if self.is_bound and self.is_valid() else {}
        default = next(iter(self.periods.values()))
        period = self.periods.get(cleaned.get("period") or "", default)
        return period, cleaned.get("therapist")
