"""Spanish as it is written in the United States and Mexico: a decimal point
and a thousands comma (as the English pages and the PHQ-9 totals have them),
not the comma of Spain's Spanish, which Django's own "es" formats use."""

from django.conf.locale.es_MX.formats import *  # noqa: F403
