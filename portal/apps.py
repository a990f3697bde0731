from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("People and caseloads")

    def ready(self):
        from allauth.account.signals import password_changed, password_set
        from allauth.mfa.models import Authenticator
        from django.contrib.auth.signals import user_logged_in, user_logged_out
        from django.db.models.signals import post_delete, post_save

        from .middleware import forget_authenticator_app, speak_their_language, stamp_session
        from .sessions import forget_session, remember_session

        user_logged_in.connect(stamp_session, dispatch_uid="portal.stamp_session")
        user_logged_in.connect(speak_their_language, dispatch_uid="portal.speak_their_language")
        # A changed password keeps the person signed in, under a new session key.
        for signal in (user_logged_in, password_changed, password_set):
            signal.connect(remember_session, dispatch_uid="portal.remember_session")
        user_logged_out.connect(forget_session, dispatch_uid="portal.forget_session")
        for signal in (post_save, post_delete):
            signal.connect(
                forget_authenticator_app, sender=Authenticator, dispatch_uid=f"portal.totp.{signal}"
            )
