from django.conf import settings
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext

from .models import DEFAULT_CRISIS_HELP, crisis_contacts_for, quick_links


def portal(request):
    context = {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "INVITATION_VALID_DAYS": settings.INVITATION_VALID_DAYS,
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_client:
        practice = user.practice
        # The practice's own words in the client's language (its English where it
        # has written no Spanish); the default text, unedited, from the catalogue.
        own = practice.crisis_help if practice else ""
        context["crisis_help"] = (
            gettext(DEFAULT_CRISIS_HELP) if own in ("", DEFAULT_CRISIS_HELP) else own
        )
        language = translation.get_language()
        # Lazy: the query runs once, and only on the pages that show the contacts.
        contacts = SimpleLazyObject(lambda: crisis_contacts_for(practice, language))
        context["crisis_contacts"] = contacts
        context["crisis_links"] = SimpleLazyObject(lambda: quick_links(contacts))
    return context
