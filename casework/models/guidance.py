"""The guidance point (ohjaus- ja neuvontapiste): a low-threshold service open to every
immigrant, with or without an appointment. Its visits are anonymous by default and counted
for the statistics a manager reports (seed 000, "Asiakaskäynnit"); a visit may be linked to a
client, and then follows that client's access rules."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_fsm import FSMField, transition

from .cases import IntegrationCase
from .clients import Client, LanguageField
from .common import PublicIdMixin, StateMachineMixin, TranslatedNameMixin
from .organisations import Municipality, Organisation, Unit

# The longest a visit or an appointment can last, in minutes (8 hours).
MAX_DURATION_MINUTES = 8 * 60


class AgeBand(models.TextChoices):
    """The age bands of the seed's table, and "not told"."""

    UNDER_18 = "under_18", _("under 18")
    AGE_18_29 = "18_29", _("18–29")
    AGE_30_49 = "30_49", _("30–49")
    AGE_50_64 = "50_64", _("50–64")
    AGE_65_PLUS = "65_plus", _("65 or over")
    NOT_TOLD = "not_told", _("not told")


class VisitGender(models.TextChoices):
    WOMAN = "woman", _("woman")
    MAN = "man", _("man")
    OTHER = "other", _("other")
    NOT_TOLD = "not_told", _("not told")


class VisitLabourStatus(models.TextChoices):
    UNEMPLOYED = "unemployed", _("unemployed")
    EMPLOYED = "employed", _("employed")
    ENTREPRENEUR = "entrepreneur", _("entrepreneur")
    STUDENT = "student", _("student")
    OUTSIDE_LABOUR_FORCE = "outside_labour_force", _("outside the labour force")
    NOT_TOLD = "not_told", _("not told")


NOT_TOLD = "not_told"


class GuidanceOptionKind(models.TextChoices):
    """The lists each organisation configures for its guidance points."""

    TOPIC = "topic", _("topic")
    CHANNEL = "channel", _("channel")
    REFERRAL = "referral", _("referred to")


# Channel codes with a meaning to the software: the visit form's default, and the channel of
# a visit logged when an appointment's client arrives.
CHANNEL_WALK_IN = "walk-in"
CHANNEL_APPOINTMENT = "appointment"


class GuidancePointManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class GuidancePoint(PublicIdMixin):
    """A unit of an organisation that gives guidance and advice (e.g. a Welcome Office).
    One organisation may run several points; a point may serve several municipalities."""

    code = models.SlugField(
        _("code"),
        max_length=60,
        unique=True,
        help_text=_("Names the point in addresses, exports and the API."),
    )
    unit = models.OneToOneField(
        Unit,
        on_delete=models.PROTECT,
        related_name="guidance_point",
        verbose_name=_("unit"),
    )
    municipalities = models.ManyToManyField(
        Municipality,
        verbose_name=_("municipalities served"),
        related_name="guidance_points",
        blank=True,
    )
    year_starts_month = models.PositiveSmallIntegerField(
        _("operating year starts: month"),
        default=9,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("The statistics show the operating year by default, e.g. 1.9.–31.8."),
    )
    year_starts_day = models.PositiveSmallIntegerField(
        _("operating year starts: day"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    small_number_threshold = models.PositiveSmallIntegerField(
        _("smallest figure shown outside the unit"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "Exports meant for outside the unit hide figures below this, so that no visitor "
            "can be recognised."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = GuidancePointManager()

    class Meta:
        verbose_name = _("guidance point")
        verbose_name_plural = _("guidance points")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.unit.name

    def natural_key(self):
        return (self.code,)

    natural_key.dependencies = ["casework.unit"]

    @property
    def name(self) -> str:
        return self.unit.name

    @property
    def organisation_id(self) -> int:
        return self.unit.organisation_id

    def operating_year(self, day: dt.date) -> tuple[dt.date, dt.date]:
        """The first and last day of the operating year that contains ``day``."""
        start = dt.date(day.year, self.year_starts_month, self.year_starts_day)
        if start > day:
            start = dt.date(day.year - 1, self.year_starts_month, self.year_starts_day)
        next_start = dt.date(start.year + 1, self.year_starts_month, self.year_starts_day)
        return start, next_start - dt.timedelta(days=1)


class GuidanceOptionManager(models.Manager):
    def get_by_natural_key(self, organisation_code, kind, code):
        return self.get(organisation__code=organisation_code, kind=kind, code=code)


class GuidanceOption(TranslatedNameMixin):
    """One entry of an organisation's list of topics, channels or referral targets.
    Configuration, not code: a manager adds, renames, orders and retires entries; the code
    never changes, so the statistics of earlier years keep their meaning."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="guidance_options",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("list"), max_length=10, choices=GuidanceOptionKind.choices)
    code = models.SlugField(_("code"), max_length=40)
    position = models.PositiveSmallIntegerField(_("position in the list"), default=0)
    is_active = models.BooleanField(
        _("in use"), default=True, help_text=_("Retired entries stay in earlier statistics.")
    )

    objects = GuidanceOptionManager()

    class Meta:
        verbose_name = _("guidance list entry")
        verbose_name_plural = _("guidance list entries")
        ordering = ["organisation", "kind", "position", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "code"], name="guidance_option_code_unique"
            )
        ]

    def natural_key(self):
        return (self.organisation.code, self.kind, self.code)

    natural_key.dependencies = ["casework.organisation"]


class GuidanceVisit(PublicIdMixin):
    """One visit to a guidance point, anonymous by default. "Not told" is always a valid
    answer about the visitor; the statistics count it rather than drop it."""

    point = models.ForeignKey(
        GuidancePoint, on_delete=models.PROTECT, related_name="visits", verbose_name=_("point")
    )
    visited_at = models.DateTimeField(_("date and time"))
    # The local date of ``visited_at``, written by the service: the statistics count by day
    # and month without time-zone arithmetic in every query.
    visited_on = models.DateField(_("date"), editable=False)
    channel = models.ForeignKey(
        GuidanceOption,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("channel"),
    )
    age_band = models.CharField(
        _("age"), max_length=10, choices=AgeBand.choices, default=AgeBand.NOT_TOLD
    )
    gender = models.CharField(
        _("gender"), max_length=10, choices=VisitGender.choices, default=VisitGender.NOT_TOLD
    )
    own_language_guidance = models.BooleanField(
        _("guidance in the client's own language"), default=False
    )
    guidance_language = LanguageField(_("language of the guidance"))
    interpreter_used = models.BooleanField(_("interpreter used"), default=False)
    country_of_origin = CountryField(_("country of origin"), blank=True)
    labour_market_status = models.CharField(
        _("labour-market status"),
        max_length=24,
        choices=VisitLabourStatus.choices,
        default=VisitLabourStatus.NOT_TOLD,
    )
    topics = models.ManyToManyField(
        GuidanceOption,
        through="GuidanceVisitTopic",
        related_name="+",
        blank=True,
        verbose_name=_("topics"),
    )
    referrals = models.ManyToManyField(
        GuidanceOption,
        through="GuidanceVisitReferral",
        related_name="+",
        blank=True,
        verbose_name=_("referred to"),
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DURATION_MINUTES)],
    )
    # How many topics and referrals the visit has, written by the service with them: the
    # statistics count the visits with none in the same pass as everything else.
    topic_count = models.PositiveSmallIntegerField(default=0, editable=False)
    referral_count = models.PositiveSmallIntegerField(default=0, editable=False)
    feedback = models.TextField(_("feedback from the client"), blank=True)
    client = models.ForeignKey(
        Client,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guidance_visits",
        verbose_name=_("client"),
    )
    case = models.ForeignKey(
        IntegrationCase,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guidance_visits",
        verbose_name=_("case whose timeline shows the visit"),
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logged by"),
    )
    created_at = models.DateTimeField(_("logged"), auto_now_add=True)

    class Meta:
        verbose_name = _("guidance visit")
        verbose_name_plural = _("guidance visits")
        ordering = ["-visited_at", "-pk"]
        indexes = [models.Index(fields=["point", "visited_on"])]
        permissions = [
            ("log_guidance_visit", _("Can log guidance visits and book appointments")),
            ("view_guidance_statistics", _("Can see and export guidance statistics")),
            ("configure_guidance", _("Can configure guidance points and their lists")),
        ]

    def __str__(self) -> str:
        return f"{self.point.code} {self.visited_at:%Y-%m-%d %H:%M}"

    def audit_label(self) -> str:
        return f"guidance visit {self.uuid}"

    def clean(self):
        super().clean()
        if self.own_language_guidance and not self.guidance_language:
            raise ValidationError(
                {"guidance_language": _("Choose the language the guidance was given in.")}
            )


class VisitChoice(models.Model):
    """One entry of a visit's many-valued list. It repeats the visit's point and date, so
    that the statistics count topics and referrals in one pass over this table, without
    joining the visits (a year of 100 000 visits has some 150 000 topics)."""

    visit = models.ForeignKey(GuidanceVisit, on_delete=models.CASCADE, related_name="+")
    option = models.ForeignKey(GuidanceOption, on_delete=models.PROTECT, related_name="+")
    point = models.ForeignKey(GuidancePoint, on_delete=models.PROTECT, related_name="+")
    visited_on = models.DateField()

    class Meta:
        abstract = True


class GuidanceVisitTopic(VisitChoice):
    def __str__(self) -> str:
        return f"{self.visit_id}: {self.option_id}"

    class Meta:
        verbose_name = _("topic of a visit")
        verbose_name_plural = _("topics of visits")
        constraints = [
            models.UniqueConstraint(fields=["visit", "option"], name="guidance_visit_topic_unique")
        ]
        indexes = [models.Index(fields=["point", "visited_on"])]


class GuidanceVisitReferral(VisitChoice):
    def __str__(self) -> str:
        return f"{self.visit_id}: {self.option_id}"

    class Meta:
        verbose_name = _("referral of a visit")
        verbose_name_plural = _("referrals of visits")
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "option"], name="guidance_visit_referral_unique"
            )
        ]
        indexes = [models.Index(fields=["point", "visited_on"])]


class DayCountDimension:
    """What a row of ``GuidanceDayCount`` counts by, and what its ``key`` holds."""

    DAY = "day"  # the day's visits; key "", every figure filled in
    AGE = "age"  # key "<age band>/<gender>"; visits and own-language guidance
    COUNTRY = "country"  # key the country code, "" when not told
    LABOUR = "labour"  # key the labour-market status
    CHANNEL = "channel"  # key the channel's GuidanceOption id, "" when not told
    TOPIC = "topic"  # key the topic's GuidanceOption id
    REFERRAL = "referral"  # key the referral target's GuidanceOption id


class GuidanceDayCount(models.Model):
    """The visits of one day at one point, counted by one answer (a rollup of the visits).

    Kept by the service that logs a visit, in the visit's transaction (``INSERT ... ON
    CONFLICT DO UPDATE``, so visits logged at once at one point add up rather than collide),
    and recounted from the visits by ``guidance_day_counts_rebuild``. The statistics sum these
    rows: a year is some hundred rows a day whatever the number of visits. Visits are never
    changed or deleted once logged, so nothing else moves a count."""

    point = models.ForeignKey(GuidancePoint, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    dimension = models.CharField(max_length=10)
    key = models.CharField(max_length=40, blank=True)
    visits = models.PositiveIntegerField(default=0)
    own_language = models.PositiveIntegerField(default=0)
    interpreter_used = models.PositiveIntegerField(default=0)
    minutes = models.PositiveIntegerField(default=0)
    without_topics = models.PositiveIntegerField(default=0)
    without_referrals = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            # also the index the statistics read by (a point's days in a period)
            models.UniqueConstraint(
                fields=["point", "day", "dimension", "key"], name="guidance_day_count_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.point_id} {self.day} {self.dimension} {self.key}: {self.visits}"


class AppointmentState(models.TextChoices):
    BOOKED = "booked", _("booked")
    ARRIVED = "arrived", _("arrived")
    NO_SHOW = "no_show", _("did not come")
    CANCELLED = "cancelled", _("cancelled")


class GuidanceAppointment(StateMachineMixin, PublicIdMixin):
    """A time booked with a guidance worker. When the client arrives the visit is logged
    (pre-filled from the booking); the name and phone number of the booking are erased then,
    or when the client does not come, so the visit stays anonymous."""

    point = models.ForeignKey(
        GuidancePoint,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("point"),
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guidance_appointments",
        verbose_name=_("guidance worker"),
    )
    starts_at = models.DateTimeField(_("time"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("length (minutes)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DURATION_MINUTES)],
    )
    language = LanguageField(_("language of the guidance"))
    interpreter_needed = models.BooleanField(_("interpreter needed"), default=False)
    interpreter_language = LanguageField(_("interpreter's language"))
    topic = models.ForeignKey(
        GuidanceOption,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("topic"),
    )
    name = models.CharField(
        _("name or initials"),
        max_length=100,
        blank=True,
        help_text=_("Optional, as the client wishes. Erased when the appointment is over."),
    )
    phone = models.CharField(
        _("phone"),
        max_length=40,
        blank=True,
        help_text=_("Optional, to reach the client if the time changes."),
    )
    state = FSMField(
        _("state"),
        default=AppointmentState.BOOKED,
        choices=AppointmentState.choices,
        protected=True,
    )
    visit = models.OneToOneField(
        GuidanceVisit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointment",
        verbose_name=_("visit"),
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("booked by"),
    )
    created_at = models.DateTimeField(_("booked"), auto_now_add=True)

    class Meta:
        verbose_name = _("guidance appointment")
        verbose_name_plural = _("guidance appointments")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["point", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.point.code} {self.starts_at:%Y-%m-%d %H:%M}"

    def audit_label(self) -> str:
        return f"guidance appointment {self.uuid}"

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def is_booked(self) -> bool:
        return self.state == AppointmentState.BOOKED

    def _erase_contact(self):
        self.name = ""
        self.phone = ""

    # --- transitions: in memory only; services save, audit and check permissions ---

    @transition(field=state, source=AppointmentState.BOOKED, target=AppointmentState.ARRIVED)
    def arrive(self, *, visit: GuidanceVisit):
        self.visit = visit
        self._erase_contact()

    @transition(field=state, source=AppointmentState.BOOKED, target=AppointmentState.NO_SHOW)
    def mark_no_show(self):
        self._erase_contact()

    @transition(field=state, source=AppointmentState.BOOKED, target=AppointmentState.CANCELLED)
    def cancel(self):
        self._erase_contact()
