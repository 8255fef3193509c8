"""Form pieces every page shares: dates as people type them, a service's RuleError put back on its form, the
upload field of every import, integers from the query string."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from grassroots.core.dates import DateError, parse_date
from grassroots.core.errors import PermissionDeniedError, RuleError, StaleVersionError

IMPORT_SUFFIXES = (".xlsx", ".xls", ".csv")


class LooseDateField(forms.CharField):
    """A date typed as people type it (2019-12-31, 2019/12/31, 2019年12月31日), read by `parse_date`."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        text = super().to_python(value)
        try:
            return parse_date(text)
        except DateError as exc:
            raise forms.ValidationError(_("Enter a date such as 2019-12-31."), code="invalid") from exc


def check_import_suffix(upload: Any) -> Any:
    if Path(upload.name).suffix.lower() not in IMPORT_SUFFIXES:
        raise forms.ValidationError(_("Upload an .xlsx, .xls or .csv file."), code="suffix")
    return upload


def too_big_message() -> str:
    from .uploads import max_megabytes

    return _("The file is larger than %(mb)d MB: split it into smaller files.") % {"mb": max_megabytes()}


def check_import_file(upload: Any) -> Any:
    """An import's file: an .xlsx, .xls or .csv no larger than the cap (judged by its size, before reading it)."""
    from .uploads import max_bytes

    if (upload.size or 0) > max_bytes():
        raise forms.ValidationError(too_big_message(), code="too_big")
    return check_import_suffix(upload)


def import_file_help() -> str:
    from .uploads import max_megabytes

    return _("At most %(mb)d MB.") % {"mb": max_megabytes()}


class ImportFileForm(forms.Form):
    """The one field of an import's first step."""

    file = forms.FileField(label=_("File (.xlsx, .xls or .csv)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ",".join(IMPORT_SUFFIXES)}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = import_file_help()

    def clean_file(self) -> Any:
        return check_import_file(self.cleaned_data["file"])


def rule_error_on_form(form: forms.Form, exc: RuleError, aliases: dict[str, str] | None = None) -> None:
    """Show a service's RuleError on the form: on the field it names (through `aliases`, service argument ->
    form field, where the two are called differently), else above the form."""
    field = (aliases or {}).get(exc.field or "", exc.field)
    if isinstance(exc, StaleVersionError):
        field = None  # its field is hidden: the message goes above the form
    form.add_error(field if field in form.fields else None, exc.message)


def write_on_form[T](form: forms.Form, write: Callable[[], T], aliases: dict[str, str] | None = None) -> T | None:
    """Run a service call for a form: its result, or None with the broken rule shown on the form. A refusal
    (PermissionDeniedError) is not a form error: it goes on to the middleware, which answers 403."""
    try:
        return write()
    except PermissionDeniedError:
        raise
    except RuleError as exc:
        rule_error_on_form(form, exc, aliases)
        return None


def query_int(request: HttpRequest, name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter within [low, high], else `default`."""
    try:
        value = int(request.GET.get(name, default))
    except ValueError:
        return default
    return value if low <= value <= high else default


def write_form_page(request: HttpRequest, org: Any, form: forms.Form, heading: str, submit: str, back: str,
                    **extra: Any) -> HttpResponse:
    """A write form on its own page (`ui/write_form.html`) under the organization it concerns, posting to itself;
    400 when it comes back with errors."""
    return render(request, "ui/write_form.html", {"org": org, "form": form, "heading": heading, "submit": submit,
                                                  "back": back, "action": "", **extra},
                  status=400 if request.method == "POST" else 200)
