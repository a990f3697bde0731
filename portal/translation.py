"""A practice's crisis texts in each language (django-modeltranslation), read in
the client's language with the English text as the fallback."""

from modeltranslation.translator import TranslationOptions, register

from .models import CrisisContact, Practice


@register(Practice)
class PracticeTranslation(TranslationOptions):
    fields = ("crisis_help",)


@register(CrisisContact)
class CrisisContactTranslation(TranslationOptions):
    fields = ("name", "hours")
