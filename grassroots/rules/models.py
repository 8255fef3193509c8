"""The findings kept between computations (`grassroots.rules.stored`): what the sources found for each responsible
organization on the day of the last computation, and per organization when that was and whether another is
waiting in the queue. Pages and the API read these; only the worker (and the command line) writes them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class StoredFinding(models.Model):
    """One finding as the last computation of its subtree found it (never typed in: replaced at each one)."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+",
                            verbose_name=_("Organization"))  # the responsible organization (Finding.org_id)
    org_name = models.CharField(_("Organization"), max_length=200)
    rule = models.CharField(_("Rule"), max_length=120)  # the cite, with the version that judged it
    kind = models.CharField(_("Kind"), max_length=100)  # the rule id, without the version
    state = models.CharField(_("State"), max_length=12)
    urgency = models.PositiveSmallIntegerField(default=0)  # the state's place in STATES: most urgent first
    subject_type = models.CharField(max_length=40)
    subject_id = models.BigIntegerField()
    subject_label = models.CharField(max_length=300)
    due = models.DateField(_("Due"), null=True, blank=True)
    messages = models.JSONField(default=dict)  # {language code: the sentence in that language}
    labels = models.JSONField(default=dict)  # {language code: the subject} where it differs from subject_label
    url = models.CharField(max_length=500, blank=True)
    computed_for = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("stored finding")
        verbose_name_plural = _("stored findings")
        indexes = [models.Index(fields=["org", "urgency", "due"], name="rules_stored_org_urgency"),
                   models.Index(fields=["org", "kind"], name="rules_stored_org_kind"),
                   models.Index(fields=["computed_for"], name="rules_stored_computed_for")]

    def __str__(self) -> str:
        return f"{self.rule} {self.state} {self.subject_label}"

    @property
    def rule_id(self) -> str:
        return self.kind

    @property
    def message(self) -> str:
        """The sentence in the active language (else the site's, else any)."""
        lang = translation.get_language() or settings.LANGUAGE_CODE
        found = self.messages.get(lang) or self.messages.get(settings.LANGUAGE_CODE)
        if found is None:
            found = next(iter(self.messages.values()), "")
        return str(found)

    def as_json(self) -> dict[str, Any]:
        """As `Finding.as_json` gives a computed one, the sentence and subject in the active language."""
        return {"rule": self.rule, "state": self.state, "subject_type": self.subject_type,
                "subject_id": self.subject_id, "subject_label": self.label, "org_id": self.org_id,
                "org_name": self.org_name, "due": self.due.isoformat() if self.due else None,
                "message": self.message, "url": self.url, "rule_id": self.kind}

    @property
    def label(self) -> str:
        """The subject in the active language."""
        lang = translation.get_language() or settings.LANGUAGE_CODE
        return str(self.labels.get(lang, self.subject_label))


class FindingsState(models.Model):
    """When the findings of this organization's subtree were last computed (the day they were judged on and the
    moment), and whether a computation is queued (at most one at a time: the debounce)."""

    org = models.OneToOneField("orgs.Organization", on_delete=models.CASCADE, primary_key=True, related_name="+")
    computed_at = models.DateTimeField(null=True, blank=True)
    as_of = models.DateField(null=True, blank=True)
    seconds = models.FloatField(default=0)  # how long the last computation took
    pending = models.BooleanField(default=False)
    pending_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("findings state")
        verbose_name_plural = _("findings states")
        indexes = [  # stored.freshness_mark: the newest computation and request, the waiting ones, by index
            models.Index(fields=["computed_at"], name="rules_state_computed"),
            models.Index(fields=["pending_since"], name="rules_state_pending_since"),
            models.Index(fields=["org"], condition=Q(pending=True), name="rules_state_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.org_id} {self.computed_at} {'pending' if self.pending else ''}"


class FindingTotal(models.Model):
    """How many kept findings of one kind and state an organization's subtree holds (`subtree`) and how many name the
    organization itself responsible (`own`), with the newest cite among them: written with the kept rows (in the
    same transaction, `stored.compute`) so that a page reads an organization's counts in a few rows instead of
    aggregating its subtree's findings on each view. A pure function of the kept rows and the tree: `stored.
    retotal_all` writes them again from the rows (`grassroots findings retotal`)."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=100)  # StoredFinding.kind
    state = models.CharField(max_length=12)
    cite = models.CharField(max_length=120)  # the greatest StoredFinding.rule of the kind (its newest version)
    subtree = models.PositiveIntegerField(default=0)
    own = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("finding total")
        verbose_name_plural = _("finding totals")
        constraints = [models.UniqueConstraint(fields=["org", "kind", "state"], name="rules_total_org_kind_state")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.kind} {self.state} {self.own}/{self.subtree}"
