"""The common agenda: versions never overwritten, adoption, endorsements, pages by role."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from partnership import agenda
from partnership.models import ActivityEvent, AgendaVersion, EventKind
from partnership.tests.world import ROLE_NAMES

TEXT = {
    "vision": "Every child in Riverside succeeds, cradle to career.",
    "problem_statement": "Too few children read at grade level by third grade.",
    "goals": "Every child ready for kindergarten\nEvery child reading by third grade",
    "equity_commitment": "We close gaps by race and income.",
}


def save(world, based_on=0, user="backbone", **changes):
    return agenda.agenda_save(
        user=world.users[user],
        partnership=world.partnership,
        based_on=based_on,
        **{**TEXT, **changes},
    )


def adopted(world, **changes):
    version = save(world, **changes)
    return agenda.agenda_adopt(
        user=world.users["backbone"], version=version, adopted_on=timezone.localdate()
    )


# --- services ------------------------------------------------------------------


def test_each_save_is_a_new_numbered_version(world):
    v1 = save(world)
    v2 = save(world, based_on=1, vision="A new vision.")
    assert (v1.number, v2.number) == (1, 2)
    v1.refresh_from_db()
    assert v1.vision == TEXT["vision"]
    assert [v.number for v in agenda.agenda_versions(world.partnership)] == [2, 1]
    assert agenda.current_agenda(world.partnership) is None  # drafts are not in force


def test_a_save_based_on_an_older_version_is_refused(world):
    save(world)
    save(world, based_on=1, vision="Alice's vision.")
    with pytest.raises(agenda.AgendaConflictError) as exc:
        save(world, based_on=1, vision="Bob's vision.")
    assert "Someone saved version 2" in exc.value.messages[0]
    assert AgendaVersion.objects.filter(partnership=world.partnership).count() == 2


def test_saving_the_same_text_again_is_refused(world):
    save(world)
    with pytest.raises(ValidationError, match="Nothing changed"):
        save(world, based_on=1)


def test_goals_are_kept_one_per_line_without_blank_lines(world):
    version = save(world, goals="  First goal \n\n Second goal\n")
    assert version.goal_list == ["First goal", "Second goal"]


@pytest.mark.parametrize("name", ["steward", "viewer", "funder"])
def test_only_backbone_staff_save_and_adopt(world, name):
    with pytest.raises(PermissionDenied):
        save(world, user=name)
    version = save(world)
    with pytest.raises(PermissionDenied):
        agenda.agenda_adopt(
            user=world.users[name], version=version, adopted_on=timezone.localdate()
        )


def test_adoption_makes_the_version_current_and_is_recorded_in_the_feed(world):
    version = adopted(world)
    current = agenda.current_agenda(world.partnership)
    assert current == version
    assert (current.number, current.adopted_on) == (1, timezone.localdate())
    event = ActivityEvent.objects.get(partnership=world.partnership)
    assert event.kind == EventKind.AGENDA_ADOPTED
    assert event.link == "/p/riverside/agenda/"
    # A newer draft does not replace the adopted version until it is adopted.
    save(world, based_on=1, vision="Newer.")
    assert agenda.current_agenda(world.partnership) == version


def test_adoption_rules(world):
    today = timezone.localdate()
    v1 = save(world)
    with pytest.raises(ValidationError, match="future"):
        agenda.agenda_adopt(
            user=world.users["backbone"], version=v1, adopted_on=today + timedelta(days=1)
        )
    v2 = save(world, based_on=1, vision="Second.")
    agenda.agenda_adopt(user=world.users["backbone"], version=v2, adopted_on=today)
    with pytest.raises(ValidationError, match="older"):
        agenda.agenda_adopt(user=world.users["backbone"], version=v1, adopted_on=today)
    with pytest.raises(ValidationError, match="already adopted"):
        agenda.agenda_adopt(user=world.users["backbone"], version=v2, adopted_on=today)
    v3 = save(world, based_on=2, vision="Third.")
    with pytest.raises(ValidationError, match="choose that date or a later one"):
        agenda.agenda_adopt(
            user=world.users["backbone"], version=v3, adopted_on=today - timedelta(days=3)
        )


def test_endorsements(world):
    today = timezone.localdate()
    version = adopted(world)
    steward = world.users["steward"]
    endorsement = agenda.agenda_endorse(
        user=steward,
        version=version,
        organization=world.partner_org,
        endorsed_on=today,
        statement="We are in.",
    )
    assert endorsement.recorded_by == steward
    with pytest.raises(ValidationError, match="already endorsed"):
        agenda.agenda_endorse(
            user=world.users["backbone"],
            version=version,
            organization=world.partner_org,
            endorsed_on=today,
        )
    # A steward records their own organization's endorsement only.
    with pytest.raises(PermissionDenied):
        agenda.agenda_endorse(
            user=steward, version=version, organization=world.other_org, endorsed_on=today
        )
    with pytest.raises(PermissionDenied):
        agenda.agenda_endorse(
            user=world.users["viewer"],
            version=version,
            organization=world.partner_org,
            endorsed_on=today,
        )
    # Backbone staff may record any organization's; funders their own.
    agenda.agenda_endorse(
        user=world.users["backbone"],
        version=version,
        organization=world.other_org,
        endorsed_on=today,
    )
    agenda.agenda_endorse(
        user=world.users["funder"],
        version=version,
        organization=world.funder_org,
        endorsed_on=today,
    )
    assert version.endorsements.count() == 3


def test_endorsement_rules(world):
    today = timezone.localdate()
    draft = save(world)
    with pytest.raises(ValidationError, match="draft"):
        agenda.agenda_endorse(
            user=world.users["backbone"],
            version=draft,
            organization=world.partner_org,
            endorsed_on=today,
        )
    version = agenda.agenda_adopt(user=world.users["backbone"], version=draft, adopted_on=today)
    with pytest.raises(ValidationError, match="cannot be earlier"):
        agenda.agenda_endorse(
            user=world.users["backbone"],
            version=version,
            organization=world.partner_org,
            endorsed_on=today - timedelta(days=1),
        )
    foreign = world.other_partnership.organizations.get()
    with pytest.raises(ValidationError, match="this partnership's organizations"):
        agenda.agenda_endorse(
            user=world.users["superuser"],
            version=version,
            organization=foreign,
            endorsed_on=today,
        )


def test_diff_marks_removed_and_added_words(world):
    v1 = save(world)
    v2 = save(
        world, based_on=1, vision="Every young person in Riverside succeeds, cradle to career."
    )
    diff = {d.field: d for d in agenda.agenda_diff(v1, v2)}
    assert diff["vision"].changed and not diff["goals"].changed
    assert ("delete", "child") in diff["vision"].segments
    assert ("insert", "young person") in diff["vision"].segments


# --- pages -----------------------------------------------------------------------

READ = {"superuser": 200, "backbone": 200, "steward": 200, "other_steward": 200}
READ |= {"viewer": 200, "funder": 200, "outsider": 404}
EDIT = {**READ, "steward": 403, "other_steward": 403, "viewer": 403, "funder": 403}


@pytest.mark.parametrize("name", ROLE_NAMES)
@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/p/riverside/agenda/", READ),
        ("/p/riverside/agenda/v1/", READ),
        ("/p/riverside/agenda/edit/", EDIT),
    ],
)
def test_pages_by_role(world, client_as, name, path, expected):
    adopted(world)
    assert client_as(name).get(path).status_code == expected[name]


def test_anonymous_visitors_are_sent_to_sign_in(world, client):
    response = client.get("/p/riverside/agenda/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_another_partnerships_versions_are_not_found(world, client_as):
    agenda.agenda_save(
        user=world.users["outsider"], partnership=world.other_partnership, based_on=0, **TEXT
    )
    client = client_as("backbone")
    assert client.get("/p/riverside/agenda/v1/").status_code == 404
    assert client.get("/p/hillcrest/agenda/v1/").status_code == 404
    assert (
        client.post("/p/hillcrest/agenda/v1/adopt/", {"adopted_on": "2024-01-01"}).status_code
        == 404
    )


@pytest.mark.parametrize("name", ["steward", "viewer", "funder", "outsider"])
def test_posts_need_the_right(world, client_as, name):
    version = save(world)
    client = client_as(name)
    expected = 404 if name == "outsider" else 403
    data = {"based_on": 1, **TEXT, "vision": "x"}
    assert client.post("/p/riverside/agenda/edit/", data).status_code == expected
    response = client.post(
        f"/p/riverside/agenda/v{version.number}/adopt/", {"adopted_on": "2024-01-01"}
    )
    assert response.status_code == expected


def test_the_page_shows_the_agenda_in_force_history_and_endorsements(world, client_as):
    version = adopted(world)
    agenda.agenda_endorse(
        user=world.users["steward"],
        version=version,
        organization=world.partner_org,
        endorsed_on=timezone.localdate(),
        statement="Proud to stand behind it.",
    )
    save(world, based_on=1, vision="A draft vision.", summary="Sharper vision")
    page = client_as("viewer").get("/p/riverside/agenda/").content.decode()
    assert TEXT["vision"] in page
    assert "Every child reading by third grade" in page
    assert "Proud to stand behind it." in page
    assert "1 of 4 organizations endorse version 1" in page
    assert "Sharper vision" in page  # the draft in the history
    assert "Adopt version 2" not in page  # viewers do not adopt
    assert "Record an endorsement" not in page  # nor endorse
    backbone_page = client_as("backbone").get("/p/riverside/agenda/").content.decode()
    assert "Adopt version 2" in backbone_page
    assert "Record an endorsement" in backbone_page
    steward_page = client_as("steward").get("/p/riverside/agenda/").content.decode()
    assert "Record an endorsement" not in steward_page  # their organization has endorsed


def test_editing_starts_from_the_latest_version_and_saves_a_new_one(world, client_as):
    adopted(world)
    client = client_as("backbone")
    form = client.get("/p/riverside/agenda/edit/").context["form"]
    assert form.initial["based_on"] == 1
    assert form.initial["vision"] == TEXT["vision"]
    response = client.post(
        "/p/riverside/agenda/edit/", {**TEXT, "based_on": 1, "vision": "Changed.", "summary": "s"}
    )
    assert response.status_code == 302
    assert AgendaVersion.objects.get(partnership=world.partnership, number=2).vision == "Changed."


def test_a_stale_editor_gets_a_clear_conflict_message(world, client_as):
    save(world)
    save(world, based_on=1, vision="Someone else's change.")
    response = client_as("backbone").post(
        "/p/riverside/agenda/edit/", {**TEXT, "based_on": 1, "vision": "Mine."}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone saved version 2 of the agenda while you were editing version 1" in page
    assert "Start again from version 2" in page
    assert not AgendaVersion.objects.filter(vision="Mine.").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [({"vision": ""}, "vision"), ({"goals": "   "}, "goals"), ({"based_on": "x"}, "based_on")],
)
def test_the_form_says_what_is_missing(world, client_as, change, field):
    response = client_as("backbone").post(
        "/p/riverside/agenda/edit/", {**TEXT, "based_on": 0, **change}
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not AgendaVersion.objects.exists()


def test_adopting_through_the_page(world, client_as):
    save(world)
    client = client_as("backbone")
    today = timezone.localdate()
    response = client.post(
        "/p/riverside/agenda/v1/adopt/", {"adopted_on": today.isoformat()}, follow=True
    )
    assert "Version 1 is now the agenda in force." in response.content.decode()
    response = client.post(
        "/p/riverside/agenda/v1/adopt/", {"adopted_on": "not a date"}, follow=True
    )
    assert "Give the adoption date as a date" in response.content.decode()


def test_endorsing_through_the_page(world, client_as):
    adopted(world)
    today = timezone.localdate().isoformat()
    client = client_as("steward")
    response = client.post(
        "/p/riverside/agenda/v1/endorse/",
        {"organization": "district", "endorsed_on": today, "statement": "Yes."},
        follow=True,
    )
    page = html.unescape(response.content.decode())
    assert "Recorded Riverside District's endorsement of version 1." in page
    # Another organization is not among the steward's choices.
    response = client.post(
        "/p/riverside/agenda/v1/endorse/",
        {"organization": "ymca", "endorsed_on": today},
        follow=True,
    )
    assert "Select a valid choice" in response.content.decode()
    assert (
        client_as("viewer")
        .post("/p/riverside/agenda/v1/endorse/", {"organization": "district", "endorsed_on": today})
        .status_code
        == 403
    )


def test_a_version_page_shows_what_changed(world, client_as):
    save(world)
    save(world, based_on=1, vision="Every young person succeeds.")
    page = client_as("funder").get("/p/riverside/agenda/v2/").content.decode()
    assert "What changed since version 1" in page
    assert "<ins>young person succeeds.</ins>" in page
    assert "<del>child in Riverside succeeds, cradle to career.</del>" in page


def test_the_agenda_page_reads_in_a_fixed_number_of_queries(
    world, client_as, django_assert_max_num_queries
):
    version = adopted(world)
    for org in (world.partner_org, world.other_org, world.funder_org):
        agenda.agenda_endorse(
            user=world.users["backbone"],
            version=version,
            organization=org,
            endorsed_on=timezone.localdate(),
        )
    for n in range(2, 6):
        save(world, based_on=n - 1, vision=f"Vision {n}.")
    client = client_as("backbone")
    with django_assert_max_num_queries(12):
        assert client.get("/p/riverside/agenda/").status_code == 200
