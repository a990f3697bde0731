from django.conf import settings

from .models import DEFAULT_CRISIS_HELP


def portal(request):
    context = {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "INVITATION_VALID_DAYS": settings.INVITATION_VALID_DAYS,
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_client:
        practice = user.practice
        context["crisis_help"] = practice.crisis_help if practice else DEFAULT_CRISIS_HELP
    return context
