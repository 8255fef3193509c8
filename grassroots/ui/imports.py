"""The two steps every import page of an organization takes: upload a file and see the dry run; confirm, which
plans again from the kept file (never from what the client sends back) and applies every row or none.

A page supplies its own dry run (`plan`), its write (`apply`), the preview it renders and what to say and where
to go when done; `ImportFlow.handle` does the rest. The upload is kept between the two steps by `uploads`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.orgs.models import Organization

from . import uploads
from .forms import ImportFileForm

Preview = Callable[[HttpRequest, Organization, forms.Form, Any, str, str], HttpResponse]


@dataclass(frozen=True)
class ImportFlow:
    session_key: str  # where `uploads` keeps this kind of import's pending files
    prefix: str  # of the kept file's name
    url_name: str  # the import page, taking the organization's code
    plan: Callable[[Path, str, Organization], Any]  # the dry run of a kept file (an ImportPlan)
    apply: Callable[[Any], Any]  # applies a plan without errors, all rows or none
    preview: Preview  # renders the dry run (request, org, form, plan, token, filename)
    upload_page: Callable[[HttpRequest, Organization, forms.Form, int], HttpResponse]  # the page with its status
    done: Callable[[HttpRequest, Organization, Any], HttpResponse]  # says what was imported, redirects

    def handle(self, request: HttpRequest, org: Organization) -> HttpResponse:
        if request.method == "POST" and request.POST.get("step") == "confirm":
            return self._confirm(request, org)
        form = ImportFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            token, saved = uploads.keep(request, upload, session_key=self.session_key, prefix=self.prefix,
                                        org=org.code)
            try:
                plan = self.plan(saved, upload.name, org)
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.message) from exc
            except RuleError as exc:
                form.add_error(None, exc.message)
            else:
                return self.preview(request, org, form, plan, token, upload.name)
        return self.upload_page(request, org, form, 400 if request.method == "POST" else 200)

    def _confirm(self, request: HttpRequest, org: Organization) -> HttpResponse:
        token = request.POST.get("token", "")
        kept = uploads.pending(request, token, session_key=self.session_key)
        if kept is None or kept[0].get("org") != org.code:
            messages.error(request, _("That upload is no longer available; please upload the file again."))
            return redirect(self.url_name, code=org.code)
        info, saved = kept
        try:
            plan = self.plan(saved, info["filename"], org)
            if plan.ok:
                plan = self.apply(plan)  # re-checks and writes every row, or none
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except RuleError as exc:
            messages.error(request, exc.message)
            return redirect(self.url_name, code=org.code)
        if not plan.ok or not plan.applied:
            messages.error(request, _("The file has errors; nothing was imported."))
            return self.preview(request, org, ImportFileForm(), plan, token, info["filename"])
        uploads.discard(request, token, session_key=self.session_key)
        return self.done(request, org, plan)
