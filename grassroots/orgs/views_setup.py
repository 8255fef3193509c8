"""The first run: on an empty site the site administrator creates the top organization and its place here.

The home page leads the site administrator here while no organization exists; anyone else is refused (403).
Once an organization exists the page says so and links to the tree. The write is `services.org_setup`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from grassroots.access.scope import scope_for
from grassroots.core.errors import PermissionDeniedError
from grassroots.ui.forms import write_on_form

from . import services
from .forms import OrgSetupForm
from .models import Organization


@login_required
@require_http_methods(["GET", "POST"])
def org_setup(request: HttpRequest) -> HttpResponse:
    if not scope_for(request.user).is_admin:
        raise PermissionDeniedError(_("only the site administrator sets up the site"))
    done = Organization.objects.exists()
    form = OrgSetupForm(request.POST if request.method == "POST" and not done else None)
    if request.method == "POST" and not done and form.is_valid():
        d = form.cleaned_data
        org = write_on_form(form, lambda: services.org_setup(
            code=d["code"], name=d["name"], kind=d["kind"], founded_on=d["founded_on"],
            territory_code=d["territory_code"], territory_name=d["territory_name"],
            territory_kind=d["territory_kind"], note=d["note"]))
        if org is not None:
            messages.success(request, _("%(name)s was created. Add its organizations and accounts next.")
                             % {"name": org.name})
            return redirect("org-detail", code=org.code)
    return render(request, "orgs/setup.html", {"form": form, "done": done})
