from django.apps import AppConfig
from django.conf import settings
from django.core.checks import Error, register
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = _("Practice outcomes")

    def ready(self):
        from .db import add_sqlite_median

        connection_created.connect(add_sqlite_median, dispatch_uid="outcomes_sqlite_median")


@register()
def small_cells_stay_suppressed(app_configs, **kwargs):
    """Lowering the small-cell threshold would let a figure single a client out."""
    from .figures import DEFAULT_MIN_CLIENTS

    if settings.OUTCOMES_MIN_CLIENTS < DEFAULT_MIN_CLIENTS:
        return [
            Error(
                f"OUTCOMES_MIN_CLIENTS is {settings.OUTCOMES_MIN_CLIENTS}; it may not be "
                f"below {DEFAULT_MIN_CLIENTS}, or a figure could single a client out.",
                id="outcomes.E001",
            )
        ]
    return []
