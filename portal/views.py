from datetime import timedelta

from allauth.account.views import EmailView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from .access import invitation_for_therapist_or_404, therapist_required
from .forms import AcceptInvitationForm, InviteClientForm, LanguageForm, local_path
from .services import (
    SIGNED_IN_ALREADY,
    InvitationError,
    accept_invitation,
    check_invitation,
    invite_client,
    resend_invitation,
    revoke_invitation,
)


def home(request):
    """Send each person to the page their role starts from."""
    user = request.user
    if user.is_therapist:
        return redirect("caseload")
    if user.is_client:
        return redirect("client_home")
    if user.is_lead:
        return redirect("practice_outcomes")
    if user.is_staff:
        return redirect("admin:index")
    return render(request, "portal/no_role.html", status=403)


@therapist_required
def invite(request):
    form = InviteClientForm(request.POST or None, therapist=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            invite_client(therapist=request.user, **form.cleaned_data)
        except InvitationError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request,
                gettext("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return redirect("caseload")
    return render(request, "portal/invite.html", {"form": form})


@therapist_required
@require_POST
def invitation_resend(request, pk):
    invitation = invitation_for_therapist_or_404(request.user, pk)
    try:
        resend_invitation(invitation=invitation)
    except InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            gettext("A new invitation link was sent to %(email)s.") % {"email": invitation.email},
        )
    return redirect("caseload")


@therapist_required
@require_POST
def invitation_revoke(request, pk):
    invitation = invitation_for_therapist_or_404(request.user, pk)
    try:
        revoke_invitation(invitation=invitation)
    except InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            gettext("The invitation to %(email)s was withdrawn.") % {"email": invitation.email},
        )
    return redirect("caseload")


# The invitation being accepted, kept in the session once its link was opened,
# so the token stays out of the URL of the page that asks for a password.
INVITATION_SESSION_KEY = "portal_invitation"


@login_not_required
@never_cache
def accept_invitation_view(request, token):
    """The emailed link: checks the token, keeps it in the session and sends
    the browser on to a page whose address does not carry it (as Django's
    password reset does), so no later request, referrer or access-log line
    holds it."""
    try:
        check_invitation(token)
    except InvitationError as error:
        return _unusable_invitation(request, str(error), status=410)
    if request.user.is_authenticated:
        return _unusable_invitation(request, gettext(SIGNED_IN_ALREADY), status=409)
    request.session[INVITATION_SESSION_KEY] = token
    return redirect("accept_invitation_form")


@login_not_required
@never_cache
@sensitive_post_parameters()  # passwords and phone numbers never go into an error report
def accept_invitation_form(request):
    token = request.session.get(INVITATION_SESSION_KEY, "")
    try:
        invitation = check_invitation(token)
        if request.user.is_authenticated:
            return _unusable_invitation(request, gettext(SIGNED_IN_ALREADY), status=409)
        # In the language the therapist wrote the invitation in, unless the
        # visitor picked another on the page (the switcher's cookie).
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            translation.activate(invitation.language)
            request.LANGUAGE_CODE = invitation.language
        form = AcceptInvitationForm(
            request.POST or None, invitation=invitation, language=request.LANGUAGE_CODE
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            client = accept_invitation(
                token=token,
                password=data["password1"],
                time_zone=data["time_zone"],
                phone=data["phone"],
                language=data["language"],
            )
        else:
            return render(
                request, "portal/accept_invitation.html", {"form": form, "invitation": invitation}
            )
    except InvitationError as error:
        request.session.pop(INVITATION_SESSION_KEY, None)
        return _unusable_invitation(request, str(error), status=410)
    request.session.pop(INVITATION_SESSION_KEY, None)
    login(request, client, backend="portal.backends.AuthenticationBackend")
    messages.success(request, gettext("Welcome! Your account is ready."))
    return redirect("home")


def _unusable_invitation(request, reason: str, *, status: int):
    return render(request, "portal/invitation_invalid.html", {"reason": reason}, status=status)


class EmailAddressesView(EmailView):
    """Account settings' email addresses, without the form to add one for a
    client (portal.forms.AddEmailForm refuses it in any case)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.user.is_client:
            context["can_add_email"] = False
        return context

    def form_invalid(self, form):
        if not self.request.user.is_client:
            return super().form_invalid(form)
        # The page shows a client no add form to carry the reason: say it on top.
        for error in form.errors.get("email", []):
            messages.error(self.request, error)
        return redirect("account_email")


email_addresses = EmailAddressesView.as_view()


@login_not_required
def security_txt(request):
    """How to report a security problem (RFC 9116)."""
    return render(
        request,
        "security.txt",
        {
            "contact": settings.SECURITY_CONTACT,
            "expires": (timezone.now() + timedelta(days=180)).strftime("%Y-%m-%dT00:00:00Z"),
            "canonical": settings.SITE_URL + "/.well-known/security.txt",
        },
        content_type="text/plain; charset=utf-8",
    )


@login_not_required
def language(request):
    """Choose the language pages are shown in. Signed in, it is saved on the
    account (emails follow it too); signed out, a cookie keeps it on this browser."""
    form = LanguageForm(
        request.POST or None,
        initial={
            "language": translation.get_language(),
            "next": local_path(request.GET.get("next", "")),
        },
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["language"]
        if request.user.is_authenticated:
            request.user.language = chosen
            request.user.save(update_fields=["language"])
        translation.activate(chosen)
        messages.success(
            request,
            gettext("Pages are now in %(language)s.")
            % {"language": translation.get_language_info(chosen)["name_local"]},
        )
        response = HttpResponseRedirect(form.cleaned_data["next"] or reverse("home"))
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            chosen,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return response
    return render(request, "portal/language.html", {"form": form})
