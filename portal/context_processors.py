from django.conf import settings


def portal(request):
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "INVITATION_VALID_DAYS": settings.INVITATION_VALID_DAYS,
    }
