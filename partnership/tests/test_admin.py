"""The Django admin: every model opens for superusers, nobody else gets in, and
writes with rules (geography paths, data point history and workflow) go
through the services."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboards.models import PublicReportCard, PublicReportCardEvent, Report, ReportCardAction
from dashboards.report_card import report_card_save
from indicators.data_requests import data_request_create
from indicators.models import (
    Category,
    ChangeAction,
    DataPoint,
    DataPointChange,
    DataRequest,
    DataRequestStatus,
    DataStatus,
    DerivedPoint,
    Dimension,
    EquityGap,
    Geography,
    GeographyKind,
    ImportJob,
    Indicator,
    IndicatorDimension,
    Period,
    Trend,
    TrendRequest,
    TrendState,
    TrendStatus,
)
from indicators.services import (
    EditConflictError,
    datapoint_create,
    datapoint_set_status,
    datapoint_update,
    dimension_create,
    geography_create,
    period_get,
)
from outcomes.models import OutcomeArea
from partnership.models import ApiToken, Membership, Organization, Partnership, Role
from partnership.tokens import token_create

from .factories import (
    CategoryFactory,
    DimensionFactory,
    GeographyFactory,
    IndicatorFactory,
    MembershipFactory,
    OrganizationFactory,
    OutcomeAreaFactory,
    PartnershipFactory,
    UserFactory,
    period,
)


@pytest.fixture
def admin_client(client_as):
    return client_as("superuser")


@pytest.fixture
def data(world):
    """A small catalogue and one data point (with its history) and trend."""
    sy = period_get(label="2021-22", kind="school_year")
    region = geography_create(
        partnership=world.partnership, code="R", name="Riverside", kind=GeographyKind.REGION
    )
    district = geography_create(
        partnership=world.partnership,
        code="D1",
        name="District 1",
        kind=GeographyKind.DISTRICT,
        parent=region,
    )
    race = dimension_create(
        partnership=world.partnership,
        code="race",
        name="Race/ethnicity",
        categories=[("black", "Black"), ("hispanic", "Hispanic/Latino")],
    )
    IndicatorDimension.objects.create(indicator=world.indicator, dimension=race)
    point = datapoint_create(
        indicator=world.indicator,
        period=sy,
        geography=district,
        category=race.categories.get(code="black"),
        value="50",
        numerator="50",
        denominator="100",
        user=world.users["steward"],
    )
    trend = Trend.objects.create(
        partnership=world.partnership,
        indicator=world.indicator,
        status=TrendStatus.INSUFFICIENT_DATA,
        computed_at=timezone.now(),
        data_version=0,
    )
    black = race.categories.get(code="black")
    DerivedPoint.objects.create(
        indicator=world.indicator,
        period=sy,
        geography=region,
        value="50",
        n_children=1,
        data_version=0,
    )
    EquityGap.objects.create(
        indicator=world.indicator,
        geography=district,
        dimension=race,
        latest_period=sy,
        gap="5",
        highest_category=race.categories.get(code="hispanic"),
        lowest_category=black,
        data_version=0,
    )
    TrendState.objects.create(indicator=world.indicator, computed_at=timezone.now())
    return {
        "period": sy,
        "region": region,
        "district": district,
        "dimension": race,
        "point": point,
        "trend": trend,
    }


def admin_url(model: type, view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def form_data(response) -> dict[str, Any]:
    """The POST data of an admin change form as it was rendered: every enabled
    field with its current value, and the inlines' management forms."""
    form = response.context["adminform"].form
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if not field.disabled and value is not None:
            data[name] = value
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
        for inline_form in inline.formset.forms:
            for name in inline_form.fields:
                value = inline_form[name].value()
                if value is not None:
                    data[f"{inline_form.prefix}-{name}"] = value
    return data


# --- who gets in -------------------------------------------------------------

READ_ONLY = {DataPointChange, Trend, DerivedPoint, EquityGap, TrendState}


def existing(model: type, world, data) -> Any:
    return {
        Partnership: world.partnership,
        Organization: world.partner_org,
        Membership: world.membership("steward"),
        OutcomeArea: world.indicator.outcome_area,
        Period: data["period"],
        Geography: data["district"],
        Dimension: data["dimension"],
        Category: data["dimension"].categories.first(),
        Indicator: world.indicator,
        DataPoint: data["point"],
        DataPointChange: DataPointChange.objects.first(),
        Trend: data["trend"],
        DerivedPoint: DerivedPoint.objects.first(),
        EquityGap: EquityGap.objects.first(),
        TrendState: TrendState.objects.first(),
    }[model]


ALL_MODELS = [
    Partnership,
    Organization,
    Membership,
    OutcomeArea,
    Period,
    Geography,
    Dimension,
    Category,
    Indicator,
    DataPoint,
    DataPointChange,
    Trend,
    DerivedPoint,
    EquityGap,
    TrendState,
]


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_superuser_opens_changelist_add_and_change_pages(admin_client, world, data, model):
    obj = existing(model, world, data)

    changelist = admin_client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    assert obj in changelist.context["cl"].result_list

    add = admin_client.get(admin_url(model, "add"))
    assert add.status_code == (403 if model in READ_ONLY else 200)

    change = admin_client.get(admin_url(model, "change", obj.pk))
    assert change.status_code == 200


def test_admin_index_lists_every_model(admin_client, world):
    response = admin_client.get(reverse("admin:index"))
    registered = {
        model["object_name"] for app in response.context["app_list"] for model in app["models"]
    }
    assert {m.__name__ for m in ALL_MODELS} <= registered


@pytest.mark.parametrize("name", ["backbone", "steward", "viewer", "funder", "outsider"])
def test_members_who_are_not_superusers_are_sent_to_the_admin_sign_in(client_as, name):
    client = client_as(name)
    for url in (reverse("admin:index"), admin_url(DataPoint, "changelist")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_staff_who_are_not_superusers_are_kept_out_even_with_permissions(client, world):
    from django.contrib.auth.models import Permission

    staff = UserFactory(username="staff", is_staff=True)
    staff.user_permissions.set(Permission.objects.all())
    client.force_login(staff)
    for model in (DataPoint, Partnership):
        response = client.get(admin_url(model, "changelist"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_anonymous_is_sent_to_the_admin_sign_in(client, world):
    response = client.get(admin_url(Indicator, "changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


# --- search -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "query", "expected"),
    [
        (Partnership, "river", lambda w, d: [w.partnership]),
        (Organization, "ymca", lambda w, d: [w.other_org]),
        (Membership, "other_steward", lambda w, d: [w.membership("other_steward")]),
        (Indicator, "summer", lambda w, d: [w.other_indicator]),
        (Geography, "D1", lambda w, d: [d["district"]]),
        (Category, "hispanic", lambda w, d: [d["dimension"].categories.get(code="hispanic")]),
        (Period, "2021-22", lambda w, d: [d["period"]]),
        (DataPoint, "k-ready 2021-22", lambda w, d: [d["point"]]),
        (DataPointChange, "steward", lambda w, d: list(DataPointChange.objects.all())),
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) else None,
)
def test_search_finds_what_was_asked_for(admin_client, world, data, model, query, expected):
    response = admin_client.get(admin_url(model, "changelist"), {"q": query})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == expected(world, data)


def test_datapoint_search_for_another_period_finds_nothing(admin_client, data):
    response = admin_client.get(admin_url(DataPoint, "changelist"), {"q": "k-ready 2022-23"})
    assert list(response.context["cl"].result_list) == []


def test_partnership_list_counts_organizations_members_and_indicators(admin_client, world):
    response = admin_client.get(admin_url(Partnership, "changelist"))
    riverside = next(p for p in response.context["cl"].result_list if p == world.partnership)
    assert (riverside.n_organizations, riverside.n_members, riverside.n_indicators) == (4, 5, 2)


# --- geographies --------------------------------------------------------------


def test_adding_a_geography_with_a_parent_sets_its_path(admin_client, world, data):
    response = admin_client.post(
        admin_url(Geography, "add"),
        {
            "partnership": world.partnership.pk,
            "code": "S01",
            "name": "Lincoln Elementary",
            "kind": GeographyKind.SCHOOL,
            "parent": data["district"].pk,
        },
    )
    assert response.status_code == 302
    school = Geography.objects.get(partnership=world.partnership, code="S01")
    assert (school.path, school.depth) == ("/R/D1/S01/", 2)


def test_moving_or_recoding_a_geography_moves_its_subtree(admin_client, world, data):
    school = geography_create(
        partnership=world.partnership,
        code="S01",
        name="Lincoln",
        kind=GeographyKind.SCHOOL,
        parent=data["district"],
    )
    other_region = geography_create(
        partnership=world.partnership, code="R2", name="North", kind=GeographyKind.REGION
    )
    url = admin_url(Geography, "change", data["district"].pk)
    post = form_data(admin_client.get(url)) | {"parent": other_region.pk, "code": "D9"}

    response = admin_client.post(url, post)

    assert response.status_code == 302
    data["district"].refresh_from_db()
    school.refresh_from_db()
    assert (data["district"].path, data["district"].depth) == ("/R2/D9/", 1)
    assert (school.path, school.depth) == ("/R2/D9/S01/", 2)


def test_a_geography_cannot_go_inside_its_own_subtree(admin_client, world, data):
    url = admin_url(Geography, "change", data["region"].pk)
    post = form_data(admin_client.get(url)) | {"parent": data["district"].pk}

    response = admin_client.post(url, post)

    assert response.status_code == 200
    assert "inside its own subtree" in str(response.context["adminform"].form.errors["parent"])
    data["region"].refresh_from_db()
    assert data["region"].parent is None


def test_a_geography_parent_must_be_in_the_same_partnership(admin_client, world, data):
    foreign = GeographyFactory(partnership=world.other_partnership, code="HC")
    response = admin_client.post(
        admin_url(Geography, "add"),
        {
            "partnership": world.partnership.pk,
            "code": "S02",
            "name": "Somewhere",
            "kind": GeographyKind.SCHOOL,
            "parent": foreign.pk,
        },
    )
    assert response.status_code == 200
    assert "another partnership" in str(response.context["adminform"].form.errors["parent"])
    assert not Geography.objects.filter(code="S02").exists()


def test_the_partnership_of_an_existing_object_cannot_change(admin_client, world, data):
    url = admin_url(Geography, "change", data["region"].pk)
    post = form_data(admin_client.get(url)) | {
        "partnership": world.other_partnership.pk,
        "name": "Renamed",
    }

    assert admin_client.post(url, post).status_code == 302
    data["region"].refresh_from_db()
    assert data["region"].partnership == world.partnership
    assert data["region"].name == "Renamed"


# --- memberships and indicators ----------------------------------------------


def test_membership_form_shows_an_organization_from_another_partnership(admin_client, world):
    newcomer = UserFactory(username="newcomer")
    foreign_org = Organization.objects.get(slug="hc-backbone")
    response = admin_client.post(
        admin_url(Membership, "add"),
        {
            "user": newcomer.pk,
            "partnership": world.partnership.pk,
            "organization": foreign_org.pk,
            "role": Role.VIEWER,
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "another partnership" in str(errors["organization"])
    assert not Membership.objects.filter(user=newcomer).exists()


def test_membership_form_requires_an_organization_for_a_data_steward(admin_client, world):
    newcomer = UserFactory(username="newcomer")
    response = admin_client.post(
        admin_url(Membership, "add"),
        {"user": newcomer.pk, "partnership": world.partnership.pk, "role": Role.DATA_STEWARD},
    )
    assert response.status_code == 200
    assert "must belong to an organization" in str(
        response.context["adminform"].form.errors["organization"]
    )


def test_indicator_cannot_use_another_partnerships_dimension(admin_client, world, data):
    foreign = dimension_create(
        partnership=world.other_partnership, code="income", name="Income", categories=[]
    )
    url = admin_url(Indicator, "change", world.other_indicator.pk)
    post = form_data(admin_client.get(url))
    prefix = "indicatordimension_set"
    post |= {
        f"{prefix}-TOTAL_FORMS": 1,
        f"{prefix}-0-dimension": foreign.pk,
        f"{prefix}-0-indicator": world.other_indicator.pk,
    }

    response = admin_client.post(url, post)

    assert response.status_code == 200
    assert "belongs to another partnership" in str(response.context["errors"])
    assert not world.other_indicator.dimensions.exists()


# --- data points ----------------------------------------------------------------


def test_editing_a_value_in_the_admin_records_old_and_new_in_the_history(admin_client, world, data):
    point = data["point"]
    url = admin_url(DataPoint, "change", point.pk)
    post = form_data(admin_client.get(url)) | {
        "value": "55",
        "numerator": "55",
        "comment": "Corrected from the state file",
    }

    response = admin_client.post(url, post)

    assert response.status_code == 302
    point.refresh_from_db()
    assert (point.value, point.version, point.status) == (Decimal("55"), 2, DataStatus.DRAFT)
    assert point.updated_by == world.users["superuser"]
    change = DataPointChange.objects.get(data_point=point, action=ChangeAction.UPDATED)
    assert (Decimal(change.old["value"]), Decimal(change.new["value"])) == (50, 55)
    assert change.changed_by == world.users["superuser"]
    assert change.comment == "Corrected from the state file"


def test_the_history_is_shown_on_the_data_point_page(admin_client, data):
    response = admin_client.get(admin_url(DataPoint, "change", data["point"].pk))
    (history,) = response.context["inline_admin_formsets"]
    assert [f.instance.action for f in history.formset.forms] == [ChangeAction.CREATED]
    assert not history.has_add_permission
    assert not history.has_change_permission
    assert not history.has_delete_permission


def test_an_edit_of_a_stale_version_is_refused_as_a_conflict(admin_client, world, data):
    point = data["point"]
    url = admin_url(DataPoint, "change", point.pk)
    post = form_data(admin_client.get(url)) | {"value": "60", "numerator": "60"}
    datapoint_update(point=point, expected_version=1, user=world.users["steward"], note="Mine")

    response = admin_client.post(url, post)

    assert response.status_code == 200
    assert "since you opened it" in str(response.context["adminform"].form.non_field_errors())
    point.refresh_from_db()
    assert (point.value, point.version) == (Decimal("50"), 2)


def test_an_invalid_value_is_a_form_error(admin_client, data):
    url = admin_url(DataPoint, "change", data["point"].pk)
    post = form_data(admin_client.get(url)) | {"value": "70"}

    response = admin_client.post(url, post)

    assert response.status_code == 200
    assert "does not match" in str(response.context["adminform"].form.errors["value"])
    assert DataPointChange.objects.count() == 1


def test_changing_the_status_in_the_admin_goes_through_the_workflow(admin_client, world, data):
    point = data["point"]
    url = admin_url(DataPoint, "change", point.pk)
    post = form_data(admin_client.get(url)) | {"status": DataStatus.APPROVED}

    assert admin_client.post(url, post).status_code == 302

    point.refresh_from_db()
    assert (point.status, point.version) == (DataStatus.APPROVED, 2)
    change = DataPointChange.objects.get(data_point=point, action=ChangeAction.APPROVED)
    assert (change.old["status"], change.new["status"]) == ("draft", "approved")
    world.indicator.refresh_from_db()
    assert world.indicator.data_version == 1


def test_a_status_the_workflow_does_not_allow_is_a_form_error(admin_client, data):
    url = admin_url(DataPoint, "change", data["point"].pk)
    post = form_data(admin_client.get(url)) | {"status": DataStatus.RETURNED}

    response = admin_client.post(url, post)

    assert response.status_code == 200
    assert "cannot become returned" in str(response.context["adminform"].form.errors["status"])


def test_returning_in_the_form_needs_a_comment(admin_client, world, data):
    point = datapoint_set_status(
        point=data["point"], status=DataStatus.SUBMITTED, expected_version=1
    )
    url = admin_url(DataPoint, "change", point.pk)
    post = form_data(admin_client.get(url)) | {"status": DataStatus.RETURNED}

    response = admin_client.post(url, post)
    assert response.status_code == 200
    assert "what needs fixing" in str(response.context["adminform"].form.errors["comment"])

    post["comment"] = "Denominator is last year's enrollment"
    assert admin_client.post(url, post).status_code == 302
    change = DataPointChange.objects.get(data_point=point, action=ChangeAction.RETURNED)
    assert change.comment == "Denominator is last year's enrollment"


def test_adding_a_data_point_in_the_admin_records_its_creation(admin_client, world, data):
    response = admin_client.post(
        admin_url(DataPoint, "add"),
        {
            "indicator": world.indicator.pk,
            "period": data["period"].pk,
            "geography": data["region"].pk,
            "value": "40",
            "numerator": "",
            "denominator": "",
            "note": "",
            "source": "State report card",
            "status": DataStatus.APPROVED,
            "comment": "Loaded by hand",
        },
    )

    assert response.status_code == 302
    point = DataPoint.objects.get(geography=data["region"])
    assert (point.status, point.version, point.created_by) == (
        DataStatus.APPROVED,
        2,
        world.users["superuser"],
    )
    actions = list(
        DataPointChange.objects.filter(data_point=point)
        .order_by("id")
        .values_list("action", "changed_by")
    )
    superuser = world.users["superuser"].pk
    assert actions == [(ChangeAction.CREATED, superuser), (ChangeAction.APPROVED, superuser)]


def test_adding_a_data_point_checks_the_period_and_category(admin_client, world, data):
    response = admin_client.post(
        admin_url(DataPoint, "add"),
        {
            "indicator": world.other_indicator.pk,
            "period": period_get(label="2021", kind="year").pk,
            "category": data["dimension"].categories.first().pk,
            "value": "40",
            "status": DataStatus.DRAFT,
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "not such a period" in str(errors["period"])
    assert "not disaggregated by" in str(errors["category"])
    assert not DataPoint.objects.filter(indicator=world.other_indicator).exists()


def test_deleting_a_data_point_in_the_admin_keeps_its_history(admin_client, world, data):
    point = data["point"]

    response = admin_client.post(admin_url(DataPoint, "delete", point.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not DataPoint.objects.filter(pk=point.pk).exists()
    deleted = DataPointChange.objects.get(action=ChangeAction.DELETED)
    assert Decimal(deleted.old["value"]) == 50
    assert deleted.changed_by == world.users["superuser"]


def test_an_approved_value_edited_and_saved_as_approved_is_re_approved(admin_client, world, data):
    point = datapoint_set_status(
        point=data["point"], status=DataStatus.APPROVED, expected_version=1
    )
    url = admin_url(DataPoint, "change", point.pk)
    post = form_data(admin_client.get(url)) | {"value": "51", "numerator": "51"}

    assert admin_client.post(url, post).status_code == 302

    point.refresh_from_db()
    assert (point.value, point.status, point.version) == (Decimal("51"), DataStatus.APPROVED, 4)
    actions = list(
        DataPointChange.objects.filter(data_point=point)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == [ChangeAction.UPDATED, ChangeAction.APPROVED]


def test_a_conflict_the_service_finds_after_the_form_is_shown_as_an_error(
    admin_client, world, data, monkeypatch
):
    import indicators.admin.datapoints

    point = data["point"]

    def someone_saved_first(**kwargs):
        raise EditConflictError(DataPoint.objects.get(pk=point.pk))

    monkeypatch.setattr(indicators.admin.datapoints, "datapoint_update", someone_saved_first)
    url = admin_url(DataPoint, "change", point.pk)
    post = form_data(admin_client.get(url)) | {"value": "60", "numerator": "60"}

    response = admin_client.post(url, post, follow=True)

    assert response.redirect_chain == [(url, 302)]
    assert any("since you opened it" in str(m) for m in response.context["messages"])
    point.refresh_from_db()
    assert point.value == 50


def test_deleting_selected_data_points_records_each_deletion(admin_client, world, data):
    other = datapoint_create(indicator=world.indicator, period=data["period"], value="45")
    points = [data["point"], other]

    response = run_action(admin_client, "delete_selected", points, post="yes")

    assert response.status_code == 200
    assert not DataPoint.objects.exists()
    assert DataPointChange.objects.filter(action=ChangeAction.DELETED).count() == 2


# --- approval actions -----------------------------------------------------------


@pytest.fixture
def submitted_and_draft(world, data):
    """The world's point submitted, plus a draft for the whole partnership."""
    submitted = datapoint_set_status(
        point=data["point"], status=DataStatus.SUBMITTED, expected_version=1
    )
    draft = datapoint_create(indicator=world.indicator, period=data["period"], value="45")
    return submitted, draft


def run_action(client, action: str, points, **extra):
    return client.post(
        admin_url(DataPoint, "changelist"),
        {"action": action, "_selected_action": [p.pk for p in points], **extra},
        follow=True,
    )


def test_approve_selected_approves_submitted_points_and_names_the_others(
    admin_client, submitted_and_draft
):
    submitted, draft = submitted_and_draft

    response = run_action(admin_client, "approve_selected", [submitted, draft], index=0)

    submitted.refresh_from_db()
    draft.refresh_from_db()
    assert (submitted.status, draft.status) == (DataStatus.APPROVED, DataStatus.DRAFT)
    texts = [str(m) for m in response.context["messages"]]
    assert "Approved 1 data point." in texts
    assert "Could not approve 1 data point: k-ready 2021-22 (it is draft)." in texts


def test_return_selected_asks_for_a_comment_then_returns(admin_client, submitted_and_draft):
    submitted, draft = submitted_and_draft

    page = run_action(admin_client, "return_selected", [submitted, draft], index=0)
    assert page.status_code == 200
    assert "Return data points to their stewards" in page.content.decode()
    assert DataPointChange.objects.filter(action=ChangeAction.RETURNED).count() == 0

    no_comment = run_action(admin_client, "return_selected", [submitted, draft], apply="yes")
    assert no_comment.context["form"].errors["comment"]

    done = run_action(
        admin_client,
        "return_selected",
        [submitted, draft],
        apply="yes",
        comment="Use this year's enrollment",
    )
    submitted.refresh_from_db()
    assert submitted.status == DataStatus.RETURNED
    change = DataPointChange.objects.get(action=ChangeAction.RETURNED)
    assert change.comment == "Use this year's enrollment"
    texts = [str(m) for m in done.context["messages"]]
    assert "Returned 1 data point." in texts
    assert any(t.startswith("Could not return 1 data point") for t in texts)


def test_the_return_page_is_rendered_from_its_template_file(admin_client, submitted_and_draft):
    submitted, draft = submitted_and_draft

    page = run_action(admin_client, "return_selected", [submitted, draft], index=0)

    names = [template.name for template in page.templates]
    assert "admin/indicators/datapoint/return_selected.html" in names
    assert "admin/base_site.html" in names
    html = page.content.decode()
    assert f'href="{admin_url(DataPoint, "changelist")}"' in html
    assert "(submitted)" in html and "(draft)" in html
    for point in (submitted, draft):
        assert f'name="_selected_action" value="{point.pk}"' in html
    assert '<input type="hidden" name="action" value="return_selected">' in html


# --- the audit trail and trends are read-only -----------------------------------


@pytest.mark.parametrize("model", sorted(READ_ONLY, key=str), ids=lambda m: m.__name__)
def test_history_and_trends_cannot_be_added_changed_or_deleted(admin_client, data, model):
    obj = model.objects.first()
    assert admin_client.get(admin_url(model, "add")).status_code == 403
    assert admin_client.get(admin_url(model, "delete", obj.pk)).status_code == 403
    assert admin_client.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    change = admin_client.get(admin_url(model, "change", obj.pk))
    assert change.status_code == 200
    assert not change.context["has_change_permission"]
    changelist = admin_client.get(admin_url(model, "changelist"))
    assert "delete_selected" not in changelist.context["cl"].model_admin.get_actions(
        changelist.wsgi_request
    )
    assert model.objects.filter(pk=obj.pk).exists()


def test_the_history_list_shows_the_newest_change_first(admin_client, world, data):
    point = data["point"]
    datapoint_update(point=point, expected_version=1, value="55", numerator="55")
    newest = DataPointChange.objects.latest("id")

    changelist = admin_client.get(admin_url(DataPointChange, "changelist"))

    cl = changelist.context["cl"]
    shown = [change.pk for change in cl.result_list]
    assert shown[0] == newest.pk
    assert shown == sorted(shown, reverse=True)
    # By the primary key: no index serves changed_at on its own.
    assert "changed_at" not in str(cl.queryset.query).split("ORDER BY")[-1]


# --- query counts ----------------------------------------------------------------


def add_series(world, i: int) -> None:
    """A geography with a submitted data point (two history entries) and a trend."""
    region = Geography.objects.get(partnership=world.partnership, code="R")
    category = Category.objects.get(dimension__partnership=world.partnership, code="black")
    geography = GeographyFactory(partnership=world.partnership, code=f"Q{i}", parent=region)
    steward = world.users["steward"]
    point = datapoint_create(
        indicator=world.indicator,
        period=Period.objects.get(label="2021-22"),
        geography=geography,
        category=category,
        value="40",
        user=steward,
    )
    datapoint_set_status(point=point, status=DataStatus.SUBMITTED, expected_version=1, user=steward)
    Trend.objects.create(
        partnership=world.partnership,
        indicator=world.indicator,
        geography=geography,
        category=category,
        computed_at=timezone.now(),
        data_version=0,
    )
    DerivedPoint.objects.create(
        indicator=world.indicator,
        period=point.period,
        geography=geography,
        category=category,
        value="40",
        n_children=2,
        data_version=0,
    )
    EquityGap.objects.create(
        indicator=world.indicator,
        geography=geography,
        dimension=category.dimension,
        latest_period=point.period,
        gap="3",
        highest_category=category,
        lowest_category=category,
        data_version=0,
    )


# One more row of each model, with its foreign keys filled in.
ROW_BUILDERS = {
    Partnership: lambda w, i: PartnershipFactory(),
    Organization: lambda w, i: OrganizationFactory(partnership=w.partnership),
    Membership: lambda w, i: MembershipFactory(
        partnership=w.partnership, organization=w.partner_org, role=Role.VIEWER
    ),
    OutcomeArea: lambda w, i: OutcomeAreaFactory(partnership=w.partnership),
    Period: lambda w, i: period(str(1950 + i), "year"),
    Geography: add_series,
    Dimension: lambda w, i: DimensionFactory(partnership=w.partnership),
    Category: lambda w, i: CategoryFactory(dimension=Dimension.objects.get(code="race")),
    Indicator: lambda w, i: IndicatorFactory(
        partnership=w.partnership, outcome_area=w.indicator.outcome_area, steward=w.partner_org
    ),
    DataPoint: add_series,
    DataPointChange: add_series,
    Trend: add_series,
    DerivedPoint: add_series,
    EquityGap: add_series,
    TrendState: lambda w, i: TrendState.objects.create(
        indicator=IndicatorFactory(
            partnership=w.partnership, outcome_area=w.indicator.outcome_area, steward=w.partner_org
        )
    ),
}


def assert_changelist_queries_flat(client, world, model, build, assert_max_queries) -> None:
    """The changelist of ``model`` makes as many queries for 50 rows as for 5."""
    url = admin_url(model, "changelist")
    for i in range(5):
        build(world, i)
    client.get(url)  # warm the session and content type caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200

    for i in range(5, 50):
        build(world, i)
    with assert_max_queries(len(few)):
        response = client.get(url)
    assert len(response.context["cl"].result_list) >= 50


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_changelist_queries_do_not_grow_with_rows(
    admin_client, world, data, model, django_assert_max_num_queries
):
    assert_changelist_queries_flat(
        admin_client, world, model, ROW_BUILDERS[model], django_assert_max_num_queries
    )


# --- every model has a usable admin ---------------------------------------------

PROJECT_APPS = ("partnership", "outcomes", "indicators", "dashboards")


def test_every_model_has_an_admin_page_or_is_shown_inline():
    registry = admin.site._registry
    inline_models = {
        inline.model for model_admin in registry.values() for inline in model_admin.inlines
    }
    project_models = [
        model for app in PROJECT_APPS for model in apps.get_app_config(app).get_models()
    ]

    missing = [
        model._meta.label
        for model in project_models
        if model not in registry and model not in inline_models
    ]

    assert missing == []


def test_every_admin_list_has_columns_a_search_and_filters():
    lacking = {
        model._meta.label: [
            name
            for name, present in (
                ("list_display", tuple(model_admin.list_display) != ("__str__",)),
                ("search_fields", model_admin.search_fields),
                ("list_filter", model_admin.list_filter),
            )
            if not present
        ]
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in PROJECT_APPS
    }

    assert {label: names for label, names in lacking.items() if names} == {}


# --- tokens, the work around the data, report cards and reports ------------------


@pytest.fixture
def records(world) -> dict[type, Any]:
    """One row of each: a token, a trend request, a data request, an import, a
    public report card (switched on and titled: two events) and a report."""
    backbone = world.users["backbone"]
    card = report_card_save(
        user=backbone,
        partnership=world.partnership,
        expected_version=0,
        enabled=True,
        title="How Riverside's children are doing",
    )
    return {
        ApiToken: token_create(user=world.users["steward"], name="District SIS export").token,
        TrendRequest: TrendRequest.objects.create(indicator=world.indicator),
        DataRequest: data_request_create(
            user=backbone,
            indicator=world.indicator,
            period=period("2021-22", world.indicator.period_kind),
            due_date=timezone.localdate() + timedelta(days=14),
        ),
        ImportJob: ImportJob.objects.create(
            partnership=world.partnership,
            user=world.users["steward"],
            filename="k-ready-2022.csv",
            file="imports/2024/01/k-ready-2022.csv",
        ),
        PublicReportCard: card,
        PublicReportCardEvent: PublicReportCardEvent.objects.filter(
            partnership=world.partnership
        ).first(),
        Report: Report.objects.create(
            partnership=world.partnership,
            format="pdf",
            scope_label="Kindergarten readiness",
            created_by=backbone,
        ),
    }


RECORD_MODELS = [
    ApiToken,
    TrendRequest,
    DataRequest,
    ImportJob,
    PublicReportCard,
    PublicReportCardEvent,
    Report,
]
# Written by their owners, the product's pages and tasks: looked at here, never
# added, edited or deleted.
RECORDS_READ_ONLY = [m for m in RECORD_MODELS if m is not PublicReportCard]


@pytest.mark.parametrize("model", RECORD_MODELS, ids=lambda m: m.__name__)
def test_superuser_opens_the_list_and_page_of_each_record(admin_client, records, model):
    obj = records[model]

    changelist = admin_client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    assert obj in changelist.context["cl"].result_list

    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize(
    ("model", "hit", "miss"),
    [
        (ApiToken, "SIS export", "payroll"),
        (TrendRequest, "k-ready", "summer-reading"),
        (DataRequest, "k-ready", "summer-reading"),
        (ImportJob, "k-ready-2022", "attendance"),
        (PublicReportCard, "riverside", "hillcrest"),
        (PublicReportCardEvent, "riverside", "hillcrest"),
        (Report, "kindergarten", "graduation"),
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) else None,
)
def test_search_finds_the_record_and_nothing_else(admin_client, records, model, hit, miss):
    url = admin_url(model, "changelist")

    found = admin_client.get(url, {"q": hit})
    assert found.status_code == 200
    # Both events of the card (switched on, titled); one row of the others.
    expected = (
        set(PublicReportCardEvent.objects.all())
        if model is PublicReportCardEvent
        else {records[model]}
    )
    assert set(found.context["cl"].result_list) == expected

    not_found = admin_client.get(url, {"q": miss})
    assert not_found.status_code == 200
    assert list(not_found.context["cl"].result_list) == []


@pytest.mark.parametrize("model", RECORDS_READ_ONLY, ids=lambda m: m.__name__)
def test_records_cannot_be_added_changed_or_deleted(admin_client, records, model):
    obj = records[model]
    add_url = admin_url(model, "add")

    changelist = admin_client.get(admin_url(model, "changelist"))
    assert add_url not in changelist.content.decode()
    assert "delete_selected" not in changelist.context["cl"].model_admin.get_actions(
        changelist.wsgi_request
    )
    assert admin_client.get(add_url).status_code == 403
    change = admin_client.get(admin_url(model, "change", obj.pk))
    assert not change.context["has_change_permission"]
    assert admin_client.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_a_token_page_shows_neither_its_key_nor_its_hash(admin_client, world):
    new = token_create(user=world.users["steward"], name="District SIS export")

    html = admin_client.get(admin_url(ApiToken, "change", new.token.pk)).content.decode()

    assert new.token.prefix in html
    assert new.key not in html
    assert new.token.key_hash not in html


def test_revoking_selected_tokens_stops_them_working(admin_client, world, records):
    token = records[ApiToken]
    other = token_create(user=world.users["backbone"], name="Dashboard sync").token

    response = admin_client.post(
        admin_url(ApiToken, "changelist"),
        {"action": "revoke_selected", "_selected_action": [token.pk], "index": 0},
        follow=True,
    )

    assert "Revoked 1 token." in [str(m) for m in response.context["messages"]]
    token.refresh_from_db()
    other.refresh_from_db()
    assert (token.active, other.active) == (False, True)


def test_cancelling_selected_data_requests_cancels_the_open_ones(admin_client, world, records):
    data_request = records[DataRequest]

    response = admin_client.post(
        admin_url(DataRequest, "changelist"),
        {"action": "cancel_selected", "_selected_action": [data_request.pk], "index": 0},
        follow=True,
    )

    assert "Cancelled 1 request(s)." in [str(m) for m in response.context["messages"]]
    data_request.refresh_from_db()
    assert data_request.status == DataRequestStatus.CANCELLED
    assert data_request.cancelled_by == world.users["superuser"]


def test_a_report_card_edited_in_the_admin_is_versioned_and_recorded(admin_client, world, records):
    card = records[PublicReportCard]
    url = admin_url(PublicReportCard, "change", card.pk)
    post = form_data(admin_client.get(url)) | {"enabled": "", "title": "Riverside at a glance"}

    assert admin_client.post(url, post).status_code == 302

    card.refresh_from_db()
    assert (card.enabled, card.title, card.version) == (False, "Riverside at a glance", 2)
    events = PublicReportCardEvent.objects.filter(changed_by=world.users["superuser"])
    assert sorted(events.values_list("action", flat=True)) == [
        ReportCardAction.DISABLED,
        ReportCardAction.EDITED,
    ]


def test_a_report_card_changed_since_the_page_was_opened_is_a_form_error(
    admin_client, world, records
):
    card = records[PublicReportCard]
    url = admin_url(PublicReportCard, "change", card.pk)
    post = form_data(admin_client.get(url)) | {"title": "Mine"}
    report_card_save(
        user=world.users["backbone"],
        partnership=world.partnership,
        expected_version=1,
        enabled=True,
        title="Theirs",
    )

    response = admin_client.post(url, post)

    assert response.status_code == 200
    assert "since you opened" in str(response.context["adminform"].form.non_field_errors())
    card.refresh_from_db()
    assert (card.title, card.version) == ("Theirs", 2)


def test_a_report_card_added_in_the_admin_is_switched_on_and_recorded(admin_client, world):
    response = admin_client.post(
        admin_url(PublicReportCard, "add"),
        {"partnership": world.other_partnership.pk, "enabled": "on", "title": "", "intro": ""},
    )

    assert response.status_code == 302
    card = PublicReportCard.objects.get(partnership=world.other_partnership)
    assert card.enabled and card.published_at is not None and card.version == 1
    assert list(
        PublicReportCardEvent.objects.filter(partnership=world.other_partnership).values_list(
            "action", "changed_by"
        )
    ) == [(ReportCardAction.ENABLED, world.users["superuser"].pk)]


def test_a_report_card_cannot_show_another_partnerships_outcome_area(admin_client, world, records):
    card = records[PublicReportCard]
    url = admin_url(PublicReportCard, "change", card.pk)
    foreign_area = world.foreign_indicator.outcome_area
    post = form_data(admin_client.get(url)) | {"outcome_areas": [foreign_area.pk]}

    response = admin_client.post(url, post)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["outcome_areas"]
    assert not card.outcome_areas.exists()


def test_a_report_card_cannot_be_deleted(admin_client, records):
    card = records[PublicReportCard]
    url = admin_url(PublicReportCard, "delete", card.pk)

    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert PublicReportCard.objects.filter(pk=card.pk).exists()


def new_indicator(world) -> Indicator:
    return IndicatorFactory(
        partnership=world.partnership,
        outcome_area=world.indicator.outcome_area,
        steward=OrganizationFactory(partnership=world.partnership),
    )


RECORD_BUILDERS = {
    ApiToken: lambda w, i: token_create(user=UserFactory(), name=f"Token {i}"),
    TrendRequest: lambda w, i: TrendRequest.objects.create(
        indicator=new_indicator(w),
        geography=GeographyFactory(partnership=w.partnership),
        category=CategoryFactory(dimension=DimensionFactory(partnership=w.partnership)),
    ),
    DataRequest: lambda w, i: DataRequest.objects.create(
        partnership=w.partnership,
        organization=OrganizationFactory(partnership=w.partnership),
        indicator=new_indicator(w),
        period=period(f"{1950 + i}-{(51 + i) % 100:02d}", "school_year"),
        due_date=timezone.localdate(),
        requested_by=UserFactory(),
    ),
    ImportJob: lambda w, i: ImportJob.objects.create(
        partnership=PartnershipFactory(), user=UserFactory(), filename=f"{i}.csv", file=f"{i}.csv"
    ),
    PublicReportCard: lambda w, i: report_card_save(
        user=UserFactory(is_superuser=True),
        partnership=PartnershipFactory(),
        expected_version=0,
        enabled=True,
    ),
    Report: lambda w, i: Report.objects.create(
        partnership=PartnershipFactory(),
        format="csv",
        scope_label=f"Area {i}",
        created_by=UserFactory(),
    ),
}
RECORD_BUILDERS[PublicReportCardEvent] = RECORD_BUILDERS[PublicReportCard]


@pytest.mark.parametrize("model", RECORD_MODELS, ids=lambda m: m.__name__)
def test_record_changelist_queries_do_not_grow_with_rows(
    admin_client, world, model, django_assert_max_num_queries
):
    assert_changelist_queries_flat(
        admin_client, world, model, RECORD_BUILDERS[model], django_assert_max_num_queries
    )
