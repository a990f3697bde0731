from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuidanceConfig(AppConfig):
    name = "guidance"
    verbose_name = _("Guidance")

    def ready(self):
        from django.db.models.signals import post_delete, post_migrate, post_save

        from .library import library_changed, new_version
        from .models import Advice

        def changed(sender, using=None, **kwargs):
            library_changed(using)

        post_save.connect(changed, sender=Advice, weak=False, dispatch_uid="advice-library-saved")
        post_delete.connect(
            changed, sender=Advice, weak=False, dispatch_uid="advice-library-deleted"
        )
        # A data migration may rewrite the library without the models' signals.
        post_migrate.connect(
            lambda **kwargs: new_version(), weak=False, dispatch_uid="advice-library-migrated"
        )
