"""Cooperative contracts on a practice: who may list them, bad input, documents, the diligence checklist,
the "can buy now" filter on pages and the API, and the page's query budget."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from practices import contracts
from practices.models import Contract, ContractDocument, Practice
from tests.factories import ContractDocumentFactory, ContractFactory, PracticeFactory
from tests.practices.conftest import exe_upload, pdf_upload
from tests.practices.test_query_budgets import DETAIL_BUDGET

pytestmark = pytest.mark.django_db

CONFIRMED = {"confirmed": "yes"}


@pytest.fixture
def practice(coalition, member, cybersecurity, kind):
    """Alice's (``member``) public practice, shared for her coalition."""
    return PracticeFactory(
        coalition=coalition, author=member, kind=kind, focus_areas=[cybersecurity], visibility="public"
    )


def contract_form(**overrides) -> dict:
    today = timezone.localdate()
    data = {
        "lead_agency": "State of Colorado",
        "lead_agency_kind": "public",
        "vehicle": "state",
        "program": "",
        "contract_number": "PA-2026-0042",
        "supplier": "Acme Signals",
        "scope": "Signal controllers.",
        "awarded_on": (today - dt.timedelta(days=10)).isoformat(),
        "expires_on": (today + dt.timedelta(days=400)).isoformat(),
        "is_competitively_bid": "on",
        "has_cooperative_clause": "on",
        "joining": "addendum",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def create_url(practice):
    return reverse("practices:contract_create", args=[practice.slug])


# --- Who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["member", "coalition_admin", "partnership_admin"])
def test_owners_add_a_contract(request, persona, practice):
    client = request.getfixturevalue(f"{persona}_client")
    response = client.post(create_url(practice), contract_form())
    contract = Contract.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#contract-{contract.pk}")
    assert (contract.practice, contract.contract_number, contract.joining) == (practice, "PA-2026-0042", "addendum")


@pytest.mark.parametrize("persona", ["other_member", "outsider"])
def test_others_are_refused_and_nothing_is_saved(request, persona, practice):
    client = request.getfixturevalue(f"{persona}_client")
    assert client.get(create_url(practice)).status_code == 403
    assert client.post(create_url(practice), contract_form()).status_code == 403
    assert not Contract.objects.exists()


def test_an_admin_of_another_coalition_is_refused(client, other_admin, practice):
    client.force_login(other_admin)
    assert client.post(create_url(practice), contract_form()).status_code == 403
    assert not Contract.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, practice):
    response = client.post(create_url(practice), contract_form())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Contract.objects.exists()


@pytest.mark.parametrize("persona", ["other_member", "outsider"])
def test_others_cannot_edit_or_delete_a_contract(request, persona, practice):
    contract = ContractFactory(practice=practice, supplier="Acme Signals")
    client = request.getfixturevalue(f"{persona}_client")
    edit = reverse("practices:contract_edit", args=[practice.slug, contract.pk])
    delete = reverse("practices:contract_delete", args=[practice.slug, contract.pk])
    assert client.post(edit, contract_form(supplier="Mallory Inc.")).status_code == 403
    assert client.post(delete, CONFIRMED).status_code == 403
    contract.refresh_from_db()
    assert contract.supplier == "Acme Signals"


def test_services_check_the_actor(practice, other_member, member):
    contract = ContractFactory(practice=practice)
    with pytest.raises(PermissionDenied):
        contracts.add_contract(practice=practice, by=other_member, data={})
    with pytest.raises(PermissionDenied):
        contracts.update_contract(contract=contract, by=other_member, data={"supplier": "x"})
    with pytest.raises(PermissionDenied):
        contracts.delete_contract(contract=contract, by=other_member)
    assert Contract.objects.filter(pk=contract.pk).exists()


def test_an_author_who_left_the_coalition_no_longer_owns_its_contracts(practice, member, coalition):
    contract = ContractFactory(practice=practice)
    member.memberships.filter(coalition=coalition).delete()
    with pytest.raises(PermissionDenied):
        contracts.update_contract(contract=contract, by=member, data={"supplier": "x"})


def test_delete_asks_first_then_deletes(member_client, practice):
    contract = ContractFactory(practice=practice)
    url = reverse("practices:contract_delete", args=[practice.slug, contract.pk])
    page = member_client.get(url)
    assert page.status_code == 200 and "Delete the contract" in page.content.decode()
    member_client.post(url, {})  # a POST without the confirmation changes nothing
    assert Contract.objects.filter(pk=contract.pk).exists()
    response = member_client.post(url, CONFIRMED)
    assert response.status_code == 302 and not Contract.objects.filter(pk=contract.pk).exists()


def test_owner_edits_a_contract_and_replaces_a_document(member_client, practice):
    contract = ContractFactory(practice=practice)
    ContractDocumentFactory(contract=contract, kind="award")
    url = reverse("practices:contract_edit", args=[practice.slug, contract.pk])
    form = contract_form(supplier="Acme Signals Ltd", award_url="https://state.example.gov/award.pdf")
    assert member_client.post(url, form).status_code == 302
    contract.refresh_from_db()
    assert contract.supplier == "Acme Signals Ltd"
    (award,) = contract.documents.all()
    assert (award.kind, award.url, bool(award.file)) == ("award", "https://state.example.gov/award.pdf", False)


# --- Bad input ----------------------------------------------------------------------------------


def test_expiry_before_award_gets_a_clear_message_and_keeps_the_form(member_client, practice):
    today = timezone.localdate()
    form = contract_form(awarded_on=today.isoformat(), expires_on=(today - dt.timedelta(days=1)).isoformat())
    response = member_client.post(create_url(practice), form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The expiry date must be on or after the award date." in page
    assert 'value="Acme Signals"' in page  # nothing typed is lost
    assert not Contract.objects.exists()


def test_a_ten_kilobyte_contract_number_gets_a_clear_message(member_client, practice):
    response = member_client.post(create_url(practice), contract_form(contract_number="9" * 10_240))
    assert response.status_code == 200
    assert "A contract number has at most 100 characters; this one has 10240." in response.content.decode()
    assert not Contract.objects.exists()


def test_the_service_refuses_what_the_form_would(practice, member):
    today = timezone.localdate()
    data = dict(contract_form())
    data.update(awarded_on=today, expires_on=today - dt.timedelta(days=5), is_competitively_bid=True)
    with pytest.raises(ValidationError) as error:
        contracts.add_contract(practice=practice, by=member, data=data)
    assert error.value.message_dict["expires_on"] == [contracts.EXPIRY_BEFORE_AWARD]
    data.update(expires_on=today, contract_number="9" * 10_240)
    with pytest.raises(ValidationError) as error:
        contracts.add_contract(practice=practice, by=member, data=data)
    assert "at most 100 characters; this one has 10,240" in error.value.message_dict["contract_number"][0]
    assert not Contract.objects.exists()


def test_a_disguised_executable_is_refused_and_nothing_is_stored(member_client, practice, settings):
    response = member_client.post(create_url(practice), {**contract_form(), "award_file": exe_upload("award.pdf")})
    assert response.status_code == 200
    assert "does not match its .pdf extension" in response.content.decode()
    assert not Contract.objects.exists() and not ContractDocument.objects.exists()


def test_a_file_and_a_link_for_the_same_document_are_refused(member_client, practice):
    form = {**contract_form(), "pricing_file": pdf_upload("pricing.pdf"), "pricing_url": "https://x.example.org/p"}
    response = member_client.post(create_url(practice), form)
    assert "Give a file or a link, not both." in response.content.decode()
    assert not Contract.objects.exists()


# --- Documents ----------------------------------------------------------------------------------


def test_an_uploaded_document_is_served_to_those_who_may_see_the_practice(member_client, client, practice):
    member_client.post(create_url(practice), {**contract_form(), "solicitation_file": pdf_upload("rfp.pdf")})
    document = ContractDocument.objects.get()
    assert (document.kind, document.name, document.content_type) == ("solicitation", "rfp.pdf", "application/pdf")
    url = document.get_absolute_url()
    assert member_client.get(url)["Content-Disposition"].startswith("attachment")
    assert client.get(url).status_code == 200  # the practice is public
    Practice.objects.filter(pk=practice.pk).update(visibility="members")
    assert client.get(url).status_code == 302  # now: log in first


def test_a_document_is_not_served_under_another_practices_address(member_client, practice, coalition, member):
    document = ContractDocumentFactory(contract=ContractFactory(practice=practice))
    other = PracticeFactory(coalition=coalition, author=member, visibility="public")
    url = reverse("practices:contract_document", args=[other.slug, document.contract_id, document.pk])
    assert member_client.get(url).status_code == 404


# --- The diligence checklist ---------------------------------------------------------------------


def test_checklist_is_all_met_for_a_complete_open_contract(practice):
    contract = ContractFactory(practice=practice)
    for kind in ("solicitation", "award", "pricing"):
        ContractDocumentFactory(contract=contract, kind=kind, file="", url=f"https://x.example.org/{kind}")
    checks = contracts.diligence_checklist(contract, today=timezone.localdate())
    assert [c.key for c in checks] == ["term", "bid", "lead", "cooperative", "documents"]
    assert all(c.ok for c in checks)


def test_checklist_flags_each_missing_item(practice):
    today = timezone.localdate()
    contract = ContractFactory(
        practice=practice,
        awarded_on=today - dt.timedelta(days=800),
        expires_on=today - dt.timedelta(days=1),
        is_competitively_bid=False,
        lead_agency="Acme Buying Group",
        lead_agency_kind="private",
        has_cooperative_clause=False,
    )
    ContractDocumentFactory(contract=contract, kind="award")
    checks = {c.key: c for c in contracts.diligence_checklist(contract, today=today)}
    assert not any(c.ok for c in checks.values())
    assert checks["term"].detail.startswith("Expired")
    assert checks["documents"].detail == "Missing: solicitation, pricing."


def test_the_page_shows_the_checklist_and_labels_expired_contracts(client, practice):
    today = timezone.localdate()
    ContractFactory(practice=practice, supplier="Open Co", contract_number="OPEN-1")
    ContractFactory(
        practice=practice,
        supplier="Old Co",
        awarded_on=today - dt.timedelta(days=900),
        expires_on=today - dt.timedelta(days=3),
    )
    page = client.get(practice.get_absolute_url()).content.decode()
    assert "What a buyer's procurement office will ask" in page
    assert "Others can buy now" in page and "Expired" in page
    assert "Missing: solicitation, award, pricing." in page
    assert page.index("Open Co") < page.index("Old Co")  # open ones first
    assert "Add a contract" not in page  # visitors see no owner buttons


# --- "Can buy now": lists, search and the API --------------------------------------------------------


@pytest.fixture
def three_practices(coalition, member, kind, cybersecurity):
    today = timezone.localdate()

    def make(title):
        return PracticeFactory(
            title=title, coalition=coalition, author=member, kind=kind, focus_areas=[cybersecurity], visibility="public"
        )

    open_one, expired, closed, none = (
        make("Open sensors"),
        make("Expired sensors"),
        make("Closed sensors"),
        make("Plain sensors"),
    )
    ContractFactory(practice=open_one)
    ContractFactory(practice=expired, awarded_on=today - dt.timedelta(days=900), expires_on=today - dt.timedelta(1))
    ContractFactory(practice=closed, joining="closed")
    return open_one, expired, closed, none


def test_only_practices_with_a_contract_open_now_pass_the_filter(three_practices):
    open_one = three_practices[0]
    assert list(Practice.objects.with_open_contract()) == [open_one]


def test_an_expired_contract_leaves_the_filter_on_its_last_day_plus_one(three_practices):
    open_one = three_practices[0]
    last_day = open_one.contracts.get().expires_on
    assert Practice.objects.with_open_contract(last_day).filter(pk=open_one.pk).exists()
    assert not Practice.objects.with_open_contract(last_day + dt.timedelta(days=1)).filter(pk=open_one.pk).exists()


def test_the_list_and_search_filter_by_contract(client, three_practices):
    response = client.get(reverse("practices:list"), {"contract": "open"})
    assert [p.title for p in response.context["page_obj"]] == ["Open sensors"]
    response = client.get(reverse("practices:list"), {"contract": "open", "q": "sensors"})
    assert [p.title for p in response.context["page_obj"]] == ["Open sensors"]
    assert "Has a contract others can buy from now" in response.content.decode()
    response = client.get(reverse("practices:list"), {"contract": "open", "government_level": "city"})
    assert f'href="{reverse("practices:feed")}?government_level=city&amp;contract=open"' in response.content.decode()


def test_the_api_filters_by_contract_and_refuses_an_unknown_value(client, three_practices):
    body = client.get(reverse("practices:api_list"), {"contract": "open"}).json()
    assert [p["title"] for p in body["results"]] == ["Open sensors"]
    response = client.get(reverse("practices:api_list"), {"contract": "yes"})
    assert response.status_code == 400 and "use contract=open" in str(response.json()["errors"])


def test_the_api_detail_returns_contracts_with_checklist_and_documents(client, practice):
    contract = ContractFactory(practice=practice, contract_number="PA-9")
    ContractDocumentFactory(contract=contract, kind="award")
    ContractDocumentFactory(contract=contract, kind="pricing", file="", url="https://x.example.org/prices")
    body = client.get(reverse("practices:api_detail", args=[practice.slug])).json()
    (item,) = body["contracts"]
    assert (item["contract_number"], item["can_buy_now"], item["is_expired"]) == ("PA-9", True, False)
    assert {c["item"]: c["ok"] for c in item["checklist"]}["documents"] is False
    documents = {d["kind"]: d for d in item["documents"]}
    assert documents["pricing"]["url"] == "https://x.example.org/prices"
    award = contract.documents.get(kind="award")
    assert documents["award"]["is_file"] and documents["award"]["url"].endswith(f"/documents/{award.pk}/")


def test_detail_page_with_contracts_stays_within_its_budget(
    client, member_client, practice, django_assert_max_num_queries
):
    for n in range(5):
        contract = ContractFactory(practice=practice)
        ContractDocumentFactory(contract=contract, kind="award")
        ContractDocumentFactory(contract=contract, kind="pricing", file="", url=f"https://x.example.org/{n}")
    # The detail page's budget: fixed however many contracts, documents, standards or adaptations.
    for viewer in (client, member_client):
        with django_assert_max_num_queries(DETAIL_BUDGET):
            assert viewer.get(practice.get_absolute_url()).status_code == 200


def test_the_feeds_list_only_practices_with_an_open_contract_when_asked(client, three_practices, cybersecurity):
    body = client.get(reverse("practices:feed"), {"contract": "open"}).content.decode()
    assert "Open sensors" in body and "Expired sensors" not in body and "Plain sensors" not in body
    assert "with a contract others can buy from" in body
    area = client.get(reverse("practices:focus_area_feed", args=[cybersecurity.slug]), {"contract": "open"})
    assert "Open sensors" in area.content.decode() and "Closed sensors" not in area.content.decode()
    assert client.get(reverse("practices:feed"), {"contract": "maybe"}).status_code == 400
