"""The forms of the opinions pages: the staff list's filters, the staff entry, routing, replies, attachments, the
statistics' choices, and the public station's form; with the two helpers the pages share with them: `local_name`
(a category's, department's or station's name in the page's language) and `station_paths` (an organization and
the stations above it).

Every write they feed goes through `grassroots.opinions.services`; a service's RuleError comes back onto them
through `grassroots.ui.forms.rule_error_on_form`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from grassroots.access.scope import Scope
from grassroots.opinions import services
from grassroots.opinions.models import Category, Channel, Department, Opinion, Outlet, State
from grassroots.orgs.models import Organization, Territory
from grassroots.ui.forms import LooseDateField

STAFF_CHANNELS = (Channel.OUTLET, Channel.PHONE, Channel.VISIT)
REPLY_PARTS = ("background", "solution", "remaining", "measures", "reason", "handler_name", "handler_contact")


def _english() -> bool:
    return not (translation.get_language() or "zh").lower().startswith("zh")


def local_name(obj: Any) -> str:
    """A category's, department's or station's name in the page's language (the Chinese name when it has no
    English one); "" for none."""
    if obj is None:
        return ""
    english = getattr(obj, "name_en", "")
    return str(english if english and _english() else obj.name)


def station_paths(org: Organization) -> list[str]:
    """The paths of org and the organizations above it (the stations whose categories its opinions may carry)."""
    step = Organization.steplen
    return [org.path[:i] for i in range(step, len(org.path) + 1, step)]


def _stats_departments(org: Organization) -> QuerySet[Department]:
    """The departments of the stations above org, at it, or under it: whose monthly figures it may look at."""
    return Department.objects.filter(Q(org__path__in=station_paths(org)) | Q(org__path__startswith=org.path)
                                      ).order_by("org__path", "name")


def _station_places(station: Organization) -> Any:
    """The station's territory and every place under it."""
    if station.territory is None:
        return Territory.objects.none()
    return Territory.objects.filter(path__startswith=station.territory.path).order_by("path")


class NamedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return local_name(obj)


# --- staff pages ---------------------------------------------------------------------------------

class OpinionFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Text contains"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search"}))
    state = forms.ChoiceField(label=gettext_lazy("State"), required=False)
    category = forms.ChoiceField(label=pgettext_lazy("opinion", "Category"), required=False)
    department = forms.ChoiceField(label=gettext_lazy("Department"), required=False)
    handler = forms.ChoiceField(label=gettext_lazy("Handled by"), required=False)
    month = forms.RegexField(label=gettext_lazy("Received in month"), regex=r"^\d{4}-(0[1-9]|1[0-2])$",
                             required=False, widget=forms.TextInput(attrs={"type": "month", "placeholder": "2024-03"}),
                             error_messages={"invalid": gettext_lazy("Enter a month such as 2024-03.")})
    year = forms.IntegerField(label=gettext_lazy("Received in year"), required=False, min_value=1990,
                              max_value=2100)
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)
    on_time = forms.BooleanField(label=gettext_lazy("Completed on time only"), required=False)
    rated = forms.BooleanField(label=gettext_lazy("Rated only"), required=False)

    def __init__(self, *args: Any, base: QuerySet[Opinion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [  # type: ignore[attr-defined]
            ("", _("All states")), ("open", _("Open (not completed)")), ("completed", _("Completed")),
            ("counted", _("All but duplicates")), *State.choices]
        categories = Category.objects.filter(pk__in=base.values("category")).order_by("code")
        self.fields["category"].choices = [  # type: ignore[attr-defined]
            ("", _("All categories")), *sorted({(c.code, local_name(c)) for c in categories})]
        departments = Department.objects.filter(pk__in=base.values("department")).order_by("name")
        self.fields["department"].choices = [  # type: ignore[attr-defined]
            ("", _("All departments")), ("none", _("(no department)")),
            *[(str(d.pk), local_name(d)) for d in departments]]
        handlers = Organization.objects.filter(pk__in=base.values("handler_org")).order_by("path")
        self.fields["handler"].choices = [  # type: ignore[attr-defined]
            ("", _("All organizations")), *[(o.code, f"{o.name} ({o.code})") for o in handlers]]


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _("%(name)s (reply within %(days)s working days)") % {"name": local_name(obj),
                                                                      "days": obj.deadline_workdays}


class OpinionEntryForm(forms.Form):
    channel = forms.ChoiceField(label=pgettext_lazy("opinion channel", "Received through"),
                                choices=[(c.value, c.label) for c in STAFF_CHANNELS])
    received_on = LooseDateField(label=gettext_lazy("Received on"),
                                 help_text=gettext_lazy("A past date is fine: outlets without a connection enter "
                                                        "opinions later."))
    category = CategoryChoiceField(label=pgettext_lazy("opinion", "Category"), queryset=Category.objects.none())
    text = forms.CharField(label=gettext_lazy("Opinion"), max_length=services.MAX_TEXT,
                           widget=forms.Textarea(attrs={"rows": 5}))
    outlet = NamedChoiceField(label=gettext_lazy("Outlet"), queryset=Outlet.objects.none(), required=False,
                              help_text=gettext_lazy("Where it was received (needed for an outlet)."))
    territory = NamedChoiceField(label=gettext_lazy("Place"), queryset=Territory.objects.none(), required=False,
                                 help_text=gettext_lazy("Leave empty to take the outlet's place."))
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)
    submitter_name = forms.CharField(label=gettext_lazy("Name of the person"), max_length=50, required=False)
    submitter_phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False,
                                      widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    submitter_email = forms.EmailField(label=gettext_lazy("Email"), max_length=100, required=False)
    attachment = forms.FileField(label=gettext_lazy("Attachment (a photo or a scan)"), required=False,
                                 widget=forms.ClearableFileInput(attrs={"accept": "image/*,.pdf"}))
    caption = forms.CharField(label=gettext_lazy("Caption"), max_length=200, required=False)

    def __init__(self, *args: Any, station: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(  # type: ignore[attr-defined]
            org=station, active=True).order_by("code")
        outlets = Outlet.objects.filter(org=station, active=True).order_by("code")
        self.fields["outlet"].queryset = outlets  # type: ignore[attr-defined]
        places = Q(pk__in=outlets.exclude(territory__isnull=True).values("territory"))
        places |= Q(pk__in=Organization.objects.filter(path__startswith=station.path, territory__isnull=False)
                    .values("territory"))
        if station.territory_id is not None and station.territory is not None:
            places |= Q(path__startswith=station.territory.path)
        self.fields["territory"].queryset = Territory.objects.filter(places).order_by("path")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("channel") == Channel.OUTLET and not data.get("outlet"):
            self.add_error("outlet", _("Choose the outlet where it was received."))
        return data


class AssignForm(forms.Form):
    to = forms.ChoiceField(label=gettext_lazy("Hand to"))
    on = LooseDateField(label=gettext_lazy("Date"))
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, opinion: Opinion, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        station = opinion.station
        # The station's writers route anywhere under it; a handler below passes it within their own subtree.
        departments = [(f"dept:{d.pk}", f"{local_name(d)} ({station.name})")
                       for d in Department.objects.filter(org=station, active=True).order_by("name")
                       if scope.can_write_org(station)]
        orgs = [(f"org:{o.code}", f"{'　' * (o.depth - station.depth)}{o.name} ({o.code})")
                for o in scope.orgs(write=True).filter(path__startswith=station.path, revoked_on__isnull=True)
                .order_by("path")]
        choices: list[Any] = [("", "—")]
        if departments:
            choices.append((_("Departments of the station"), departments))
        choices.append((_("Organizations"), orgs))
        self.fields["to"].choices = choices  # type: ignore[attr-defined]

    def target(self, opinion: Opinion) -> tuple[Organization, Department | None]:
        kind, _sep, key = self.cleaned_data["to"].partition(":")
        if kind == "dept":
            return opinion.station, get_object_or_404(Department, org=opinion.station, pk=int(key), active=True)
        return get_object_or_404(Organization, code=key), None


class EscalateForm(forms.Form):
    on = LooseDateField(label=gettext_lazy("Date"))
    note = forms.CharField(label=gettext_lazy("Why it goes to the level above"), max_length=300,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReplyForm(forms.Form):
    conditional_fields = (*REPLY_PARTS, "duplicate_of")  # which are needed depends on the state it moves to
    to_state = forms.ChoiceField(label=gettext_lazy("The opinion becomes"))
    on = LooseDateField(label=gettext_lazy("Date"))
    background = forms.CharField(label=gettext_lazy("Background"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 3}))
    solution = forms.CharField(label=gettext_lazy("How it was solved"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))
    remaining = forms.CharField(label=gettext_lazy("What remains"), required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))
    measures = forms.CharField(label=gettext_lazy("Suggested measures"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=gettext_lazy("Needed when it cannot be solved for now, and to reopen it."))
    handler_name = forms.CharField(label=gettext_lazy("Handler"), max_length=50, required=False)
    handler_contact = forms.CharField(label=gettext_lazy("Handler's contact"), max_length=50, required=False)
    duplicate_of = forms.CharField(label=gettext_lazy("Duplicate of (number)"), max_length=20, required=False,
                                   help_text=gettext_lazy("The number of the earlier opinion of the same station."))

    def __init__(self, *args: Any, opinion: Opinion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_state"]
        # Every state is accepted here so that a refused move gets the service's own explanation; the menu
        # offers only the moves allowed from the opinion's state.
        field.choices = [(s.value, s.label) for s in State if s != State.ASSIGNED]  # type: ignore[attr-defined]
        field.widget.choices = [(s, State(s).label) for s in services.MOVES[opinion.state]]


class AttachmentForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"),
                           widget=forms.ClearableFileInput(attrs={"accept": "image/*,.pdf"}))
    caption = forms.CharField(label=gettext_lazy("Caption"), max_length=200, required=False)


class StatsForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1990, max_value=2100, required=False)
    as_of = LooseDateField(label=gettext_lazy("As of"), required=False)
    department = forms.ChoiceField(label=gettext_lazy("Department"), required=False)

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.departments = {str(d.pk): d for d in _stats_departments(org)}
        self.fields["department"].choices = [("", _("All departments"))] + [  # type: ignore[attr-defined]
            (key, local_name(d)) for key, d in self.departments.items()]


# --- the public station's form ------------------------------------------------------------------

class _PlaceChoiceField(forms.ModelChoiceField):
    """Places indented under the station's own territory."""

    base_depth = 1

    def label_from_instance(self, obj: Any) -> str:
        return "\u3000" * max(0, obj.depth - self.base_depth) + obj.name


class PublicOpinionForm(forms.Form):
    category = NamedChoiceField(label=gettext_lazy("What is it about?"), queryset=Category.objects.none(),
                                empty_label=gettext_lazy("— choose —"))
    text = forms.CharField(label=gettext_lazy("Your opinion"), max_length=services.MAX_TEXT,
                           widget=forms.Textarea(attrs={"rows": 6}),
                           help_text=gettext_lazy("What happened, where and since when; what you would like done."))
    territory = _PlaceChoiceField(label=gettext_lazy("Place"), required=False, queryset=Territory.objects.none(),
                                  empty_label=gettext_lazy("— not sure —"))
    address = forms.CharField(label=gettext_lazy("Address or landmark"), max_length=200, required=False)
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=50, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    email = forms.EmailField(label=gettext_lazy("Email"), max_length=100, required=False,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    photo = forms.FileField(label=gettext_lazy("Photo"), required=False,
                            widget=forms.FileInput(attrs={"accept": "image/*"}),
                            help_text=gettext_lazy("One photo, at most 5 MB (JPEG, PNG, GIF or WebP)."))
    # The honeypot: hidden from people by CSS, filled in by simple bots.
    website = forms.CharField(label=gettext_lazy("Leave this field empty"), required=False, max_length=200,
                              widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))
    outlet = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)

    def __init__(self, *args: Any, station: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.station = station
        categories = station.opinion_categories.filter(active=True).order_by("id")  # as the station set them up
        category_field: Any = self.fields["category"]
        category_field.queryset = categories
        if len(categories) == 1:
            self.fields["category"].initial = categories[0].pk
        places = _station_places(station)
        if station.territory is None:
            del self.fields["territory"]
        else:
            place_field: Any = self.fields["territory"]
            place_field.queryset = places
            place_field.base_depth = station.territory.depth

    def clean_outlet(self) -> Outlet | None:
        code = (self.cleaned_data.get("outlet") or "").strip()
        if not code:
            return None
        # An unknown or closed outlet is simply ignored.
        return Outlet.objects.filter(org=self.station, code=code, active=True).first()


# --- the station's set-up ------------------------------------------------------------------------

class DepartmentForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Department name"), max_length=100,
                           help_text=gettext_lazy("As the station calls it, e.g. 城管办."))
    name_en = forms.CharField(label=gettext_lazy("English name"), max_length=150, required=False)
    contact = forms.CharField(label=gettext_lazy("Contact"), max_length=100, required=False,
                              help_text=gettext_lazy("The person in charge and a phone number."))

    def __init__(self, *args: Any, station: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class CategoryForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=32,
                           help_text=gettext_lazy("Letters, digits, - or _, e.g. roads. Open311 clients use it; it "
                                                  "cannot change once opinions carry it."))
    name = forms.CharField(label=gettext_lazy("Category name"), max_length=100)
    name_en = forms.CharField(label=gettext_lazy("English name"), max_length=150, required=False)
    description = forms.CharField(label=gettext_lazy("Description"), max_length=300, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    department = forms.ChoiceField(label=gettext_lazy("Goes to"), required=False)
    deadline_workdays = forms.CharField(
        label=gettext_lazy("Reply within (working days)"), max_length=5,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=gettext_lazy("Counted from the working day after the day received. A change counts for opinions "
                               "received from then on."))

    def __init__(self, *args: Any, station: Organization, current: Department | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.departments = {str(d.pk): d for d in Department.objects.filter(org=station).order_by("name")
                            if d.active or (current is not None and d.pk == current.pk)}
        self.fields["department"].choices = [  # type: ignore[attr-defined]
            ("", _("No department: the organization that holds the place (else sorted by hand)")),
            *[(key, local_name(d) + ("" if d.active else f" ({_('inactive')})")) for key, d in self.departments.items()]]

    def chosen_department(self) -> Department | None:
        return self.departments.get(self.cleaned_data.get("department") or "")


class OutletForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=32,
                           help_text=gettext_lazy("Letters, digits, - or _. The poster's QR code carries it: print "
                                                  "the poster again after changing it."))
    name = forms.CharField(label=gettext_lazy("Outlet name"), max_length=100)
    territory = _PlaceChoiceField(label=gettext_lazy("Place"), required=False, queryset=Territory.objects.none(),
                                  empty_label="—",
                                  help_text=gettext_lazy("Opinions received here without a place go by this one."))
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)
    recipients = forms.CharField(label=gettext_lazy("Recipients"), max_length=200, required=False,
                                 help_text=gettext_lazy("Who takes the opinions in, e.g. the community secretary and "
                                                        "the grid workers."))

    def __init__(self, *args: Any, station: Organization, current: Territory | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["territory"]
        if station.territory is None:  # the places of the organizations under it
            places = Territory.objects.filter(revoked_on__isnull=True, pk__in=Organization.objects.filter(
                path__startswith=station.path, territory__isnull=False).values("territory"))
        else:
            places = _station_places(station).filter(revoked_on__isnull=True)
            field.base_depth = station.territory.depth
        if current is not None:
            places = places | Territory.objects.filter(pk=current.pk)
        field.queryset = places.order_by("path")


# --- history carried over -------------------------------------------------------------------------------------
class RatingEntryForm(forms.Form):
    """A rating the person who asked gave on paper, by phone or at an outlet, entered by staff with its date
    (`services.record_rating`)."""

    score = forms.TypedChoiceField(label=gettext_lazy("Rating (1-5)"), coerce=int,
                                   choices=[(n, str(n)) for n in range(5, 0, -1)])
    on = LooseDateField(label=gettext_lazy("Rated on"))
    comment = forms.CharField(label=gettext_lazy("Comment"), max_length=300, required=False)
