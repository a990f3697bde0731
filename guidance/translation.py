"""The advice library's texts in each language (django-modeltranslation): a
Spanish column beside each English one, read in the reader's language with
the English text as the fallback."""

from modeltranslation.translator import TranslationOptions, register

from .models import Advice


@register(Advice)
class AdviceTranslation(TranslationOptions):
    fields = ("title", "body", "questions")
    fallback_undefined = {"title": "", "body": "", "questions": ""}
