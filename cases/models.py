"""Stored IMR determinations: the source of truth that the search index is built from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from cases.addresses import case_address
from cases.parsing.reasons import REASONS
from cases.parsing.taxonomy import Category


class Decision(models.TextChoices):
    """What the reviewer decided on one disputed item."""

    UPHELD = "Upheld", "Upheld (denial stands)"
    OVERTURNED = "Overturned", "Overturned (found medically necessary)"


class CaseOutcome(models.TextChoices):
    """The decisions of all of a letter's items taken together."""

    UPHELD = "Upheld"
    OVERTURNED = "Overturned"
    PARTIALLY_OVERTURNED = "Partially overturned"


class TreatmentCategory(models.TextChoices):
    """The DWC treatment categories (values from ``cases.parsing.taxonomy.Category``)."""

    PHARMACEUTICALS = Category.PHARMACEUTICALS.value
    DMEPOS = Category.DMEPOS.value
    REHABILITATION = Category.REHABILITATION.value
    DIAGNOSTIC = Category.DIAGNOSTIC.value
    EVALUATION = Category.EVALUATION.value
    INJECTIONS = Category.INJECTIONS.value
    SURGERY = Category.SURGERY.value
    PSYCH = Category.PSYCH.value
    PROGRAMS = Category.PROGRAMS.value
    HOME_HEALTH = Category.HOME_HEALTH.value
    TRANSPORTATION = Category.TRANSPORTATION.value
    OTHER = Category.OTHER.value


class Sex(models.TextChoices):
    """The patient's sex as the summary gives it."""

    MALE = "male"
    FEMALE = "female"


class Laterality(models.TextChoices):
    """The side of the body an item's heading names."""

    LEFT = "left"
    RIGHT = "right"
    BILATERAL = "bilateral"


REASON_LABELS = {rule.code: rule.label for rule in REASONS}


class GuidelineAgreement(models.TextChoices):
    """Whether the IMR reviewer cited the documents utilization review cited
    (``cases.parsing.guidelines``)."""

    SAME = "same", "Same as UR"
    DIFFERENT = "different", "Different from UR"
    PARTLY = "partly", "Partly the same as UR"


class QuantityUnit(models.TextChoices):
    """The unit of what an item requests (``cases.parsing.quantities``)."""

    SESSIONS = "sessions"
    COUNT = "count"
    DAYS = "days"
    WEEKS = "weeks"
    MONTHS = "months"
    HOURS = "hours"


class Layout(models.TextChoices):
    """Which letter layout the determination was read from."""

    TABLE = "table", "With page-1 case table"
    BODY = "body", "Body only"
    PROSE = "prose", "Body only, credentials in prose"
    LAYOUT_2013 = "2013", "2013 notice"


class Specialty(models.Model):
    """A reviewer board certification or specialty, as written in letters."""

    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "specialties"

    def __str__(self) -> str:
        return self.name


class LicenseState(models.Model):
    """A state in which a reviewer is licensed."""

    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DeterminationQuerySet(models.QuerySet["Determination"]):
    """Reusable filters over determinations."""

    def with_details(self) -> DeterminationQuerySet:
        """Prefetch what a list or page of determinations shows."""
        return self.prefetch_related("items", "specialties", "states")

    def for_results(self) -> DeterminationQuerySet:
        """What a feed entry or a similar letter shows: the letter with its items, without
        its full text and long sections (a page of results reads ``result_letters``)."""
        items = DisputedItem.objects.defer(
            "claims_administrator_guideline", "maximus_guideline", "original_request",
            "authorized")
        return self.defer("original_text", "how_made", "credentials", "issues",
                          "warnings").prefetch_related(Prefetch("items", queryset=items))


class Determination(models.Model):
    """One IMR final determination letter, parsed."""

    public_id = models.CharField(
        max_length=40, unique=True,
        help_text="Permanent id used in URLs: the case number, or a digest of the letter.",
    )
    case_number = models.CharField(max_length=20, blank=True, db_index=True)
    decision_date = models.DateField(null=True, blank=True, db_index=True)
    date_of_injury = models.DateField(null=True, blank=True)
    date_assigned = models.DateField(null=True, blank=True)
    ur_denial_date = models.DateField(null=True, blank=True)
    application_received = models.DateField(null=True, blank=True)
    priority = models.CharField(max_length=20, blank=True)
    specialty_names = models.JSONField(
        default=list, blank=True, help_text="Reviewer specialties in the order the letter gives."
    )
    state_names = models.JSONField(
        default=list, blank=True, help_text="States of licensure in the order the letter gives."
    )
    specialties = models.ManyToManyField(Specialty, related_name="determinations", blank=True)
    states = models.ManyToManyField(LicenseState, related_name="determinations", blank=True)
    patient_age = models.PositiveSmallIntegerField(null=True, blank=True)
    patient_sex = models.CharField(max_length=6, choices=Sex.choices, blank=True)
    case_outcome = models.CharField(max_length=24, choices=CaseOutcome.choices, db_index=True)
    cites_mtus = models.BooleanField("cites MTUS", default=False)
    cites_acoem = models.BooleanField("cites ACOEM", default=False)
    cites_odg = models.BooleanField("cites ODG", default=False)
    cites_non_mtus = models.BooleanField("cites Non-MTUS", default=False)
    layout = models.CharField(max_length=8, choices=Layout.choices)
    how_made = models.TextField(blank=True)
    credentials = models.TextField(blank=True)
    summary = models.TextField("clinical case summary", blank=True)
    issues = models.TextField("issues, decisions and rationales", blank=True)
    original_text = models.TextField(help_text="The letter's text as extracted from its file.")
    source_name = models.CharField(max_length=255)
    content_hash = models.CharField(max_length=64, db_index=True,
                                    help_text="SHA-256 of the cleaned letter text.")
    source_hash = models.CharField(max_length=64, db_index=True, blank=True,
                                   help_text="SHA-256 of the file's bytes, to skip unchanged "
                                             "files on re-import.")
    parser_version = models.PositiveSmallIntegerField()
    warnings = models.JSONField(default=list, blank=True)
    indexed = models.BooleanField(
        default=False, db_index=True,
        help_text="In the search index as stored: set once the index committed this version.")
    imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeterminationQuerySet.as_manager()

    class Meta:
        ordering = ["-decision_date", "public_id"]
        indexes = [models.Index(fields=["case_outcome", "decision_date"])]

    def __str__(self) -> str:
        return self.public_id

    def get_absolute_url(self) -> str:
        return case_address(self.public_id)

    @property
    def guidelines_cited(self) -> list[str]:
        """Guideline families named in the letter, in a fixed order."""
        flags = (("ACOEM", self.cites_acoem), ("MTUS", self.cites_mtus),
                 ("Non-MTUS", self.cites_non_mtus), ("ODG", self.cites_odg))
        return [name for name, cited in flags if cited]


class DisputedItem(models.Model):
    """One disputed treatment of a determination and the decision on it."""

    determination = models.ForeignKey(Determination, on_delete=models.CASCADE,
                                      related_name="items")
    position = models.PositiveSmallIntegerField(help_text="1-based order in the letter.")
    treatment = models.TextField()
    decision = models.CharField(max_length=12, choices=Decision.choices, db_index=True)
    category = models.CharField(max_length=32, choices=TreatmentCategory.choices, db_index=True)
    subcategory = models.CharField(max_length=64, blank=True, db_index=True)
    claims_administrator_guideline = models.TextField(blank=True)
    maximus_guideline = models.TextField(blank=True)
    rationale = models.TextField(blank=True)
    original_request = models.TextField(blank=True)
    authorized = models.TextField(blank=True)
    # Read from the heading (treatment) alone: ``cases.parsing.treatment``.
    drugs = models.JSONField(default=list, blank=True,
                             help_text="Generic names of the drugs the heading names, sorted.")
    body_regions = models.JSONField(default=list, blank=True,
                                    help_text="Body regions the heading names, sorted.")
    laterality = models.CharField(max_length=9, choices=Laterality.choices, blank=True)
    quantity_value = models.FloatField(null=True, blank=True,
                                       help_text="What the heading requests, in its unit.")
    quantity_unit = models.CharField(max_length=8, choices=QuantityUnit.choices, blank=True)
    # Read from the guideline lines and the rationale: ``cases.parsing.citations``, ``reasons``.
    claims_administrator_citations = models.JSONField(
        default=list, blank=True, help_text="The documents utilization review's line cites: "
        "family, document, edition, sections, pages, non_mtus.")
    maximus_citations = models.JSONField(
        default=list, blank=True, help_text="The documents the IMR reviewer's line cites.")
    same_guideline = models.CharField(max_length=9, choices=GuidelineAgreement.choices,
                                      blank=True, db_index=True)
    reasons = models.JSONField(
        default=list, blank=True, help_text="Why the item was decided as it was: each reason's "
        "code and the span of the rationale's sentence that says so (start, end).")

    class Meta:
        ordering = ["determination", "position"]
        constraints = [
            models.UniqueConstraint(fields=["determination", "position"],
                                    name="unique_item_position"),
        ]

    def __str__(self) -> str:
        return f"{self.treatment}: {self.decision}"

    @property
    def stated_reasons(self) -> list[dict[str, object]]:
        """Each reason as the parser's JSON gives it: code, label and the rationale's
        sentence that gives it (with its span, to mark it)."""
        return [{"code": r["code"], "label": REASON_LABELS.get(r["code"], r["code"]),
                 "sentence": self.rationale[r["start"]:r["end"]],
                 "start": r["start"], "end": r["end"]} for r in self.reasons]

    @property
    def quantity(self) -> dict[str, float | int | str] | None:
        """The requested quantity as the parser's JSON gives it, or None."""
        return requested_quantity(self.quantity_value, self.quantity_unit)


def requested_quantity(value: float | None, unit: str) -> dict[str, float | int | str] | None:
    """An item's requested quantity as the parser's JSON gives it, or None without one."""
    if value is None or not unit:
        return None
    return {"value": int(value) if value.is_integer() else value, "unit": unit}


class AlertFrequency(models.TextChoices):
    """How often a saved search's new matches are e-mailed."""

    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    OFF = "off", "Off (no e-mail)"


class SavedSearch(models.Model):
    """A user's search, kept to come back to and to be told of its new matches."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="saved_searches")
    name = models.CharField(max_length=100)
    query_string = models.TextField(
        blank=True, help_text="The search page's parameters, canonical (as its links give "
                              "them), without the page number.")
    frequency = models.CharField(max_length=6, choices=AlertFrequency.choices,
                                 default=AlertFrequency.DAILY)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(
        default=timezone.now, help_text="Letters added after this are new to the user: it "
                                        "moves when they open the search from their list.")
    alerted_at = models.DateTimeField(
        null=True, blank=True, help_text="When an alert run last looked for new matches.")
    alert_from = models.DateTimeField(
        default=timezone.now, help_text="The next alert looks at letters added after this "
                                        "(and leaves out those already sent).")

    class Meta:
        ordering = ["name", "pk"]
        verbose_name_plural = "saved searches"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cases:saved-search", kwargs={"pk": self.pk})


class AlertDelivery(models.Model):
    """One determination an alert e-mail told a saved search's owner about: a run leaves out
    what is recorded here, so no letter is sent twice for one search."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE,
                                     related_name="deliveries")
    determination = models.ForeignKey(Determination, on_delete=models.CASCADE,
                                      related_name="+")
    sent_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name_plural = "alert deliveries"
        constraints = [
            models.UniqueConstraint(fields=["saved_search", "determination"],
                                    name="unique_alert_delivery"),
        ]

    def __str__(self) -> str:
        return f"{self.saved_search_id} → {self.determination_id}"
