"""Discovery: one ranking by words and meaning, a cutoff, reasons, and never a 500 on odd input."""

import logging
from contextlib import suppress

import numpy as np
import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from practices import discovery
from practices.discovery import embeddings, vectors, words
from practices.models import DocumentVector, Practice, PracticeKind, SimilarPractice
from tests.factories import PracticeFactory, PracticeKindFactory

pytestmark = pytest.mark.django_db

PUBLIC = Practice.Visibility.PUBLIC


@pytest.fixture
def catalogue(cybersecurity, transportation):
    """A few practices, embedded as the task after a save would embed them."""
    revenue = PracticeKindFactory(slug="revenue-model", name="Revenue or funding model")
    practices = {
        "parking": PracticeFactory(
            title="Parking occupancy sensors for downtown curb spaces",
            summary="In-ground sensors report which metered spaces are taken; an app shows drivers open ones.",
            focus_areas=[transportation],
            visibility=PUBLIC,
        ),
        "backups": PracticeFactory(
            title="Offline immutable backups against ransomware",
            summary="Nightly backups copied to storage that cannot be altered, kept off the network.",
            focus_areas=[cybersecurity],
            visibility=PUBLIC,
        ),
        "fleet": PracticeFactory(
            title="Municipal fleet electrification plan",
            summary="Replacing the city's combustion vehicles with electric ones, department by department.",
            focus_areas=[transportation],
            visibility=PUBLIC,
        ),
        "sponsorship": PracticeFactory(
            title="Sponsorship of public Wi-Fi by local businesses",
            summary="Businesses pay for hotspots in exchange for a splash page.",
            kind=revenue,
            visibility=PUBLIC,
        ),
        "members_only": PracticeFactory(
            title="Ransomware tabletop exercise for council members",
            summary="A two-hour exercise that walks leaders through a ransomware attack.",
            focus_areas=[cybersecurity],
        ),
    }
    discovery.embed_practices([p.pk for p in practices.values()])
    return practices


def ids(suggestions):
    return [s.practice_id for s in suggestions]


def test_the_same_title_is_suggested_first_with_words_in_common(catalogue):
    results = discovery.suggest(title="Parking occupancy sensors downtown")
    assert results[0].practice_id == catalogue["parking"].pk
    assert "words in common" in results[0].reason.lower()
    assert results[0].score > 0


def test_a_paraphrase_finds_its_practice_by_meaning(catalogue):
    results = discovery.suggest(
        title="Switching city cars from gasoline to battery power",
        summary="Every department's sedans and trucks replaced with electric vehicles over five years.",
    )
    assert ids(results)[:1] == [catalogue["fleet"].pk]
    assert "similar meaning" in results[0].reason


def test_nothing_like_it_gives_no_suggestions(catalogue):
    assert discovery.suggest(title="Volunteer roster for a community garden", summary="Who waters on which day.") == []


def test_a_shared_focus_area_is_named_as_a_reason(catalogue, cybersecurity):
    results = discovery.suggest(title="Ransomware backups kept offline", focus_area_slugs=["cybersecurity"])
    assert results[0].practice_id == catalogue["backups"].pk
    assert "shared focus area: Cybersecurity" in results[0].reason


def test_anonymous_visitors_are_not_suggested_members_only_practices(catalogue, member):
    title = "Ransomware tabletop exercise for council"
    assert catalogue["members_only"].pk not in ids(discovery.suggest(title=title, user=AnonymousUser()))
    assert catalogue["members_only"].pk in ids(discovery.suggest(title=title, user=member))


def test_the_practice_itself_is_excluded(catalogue):
    backups = catalogue["backups"]
    assert backups.pk not in ids(discovery.suggest(title=backups.title, exclude_id=backups.pk))


@pytest.mark.parametrize("title", ["", "   ", "!!! ?", "the and of"])
def test_an_empty_title_gives_no_suggestions(catalogue, title):
    assert discovery.suggest(title=title, summary="Ransomware backups") == []


def test_ten_kilobytes_in_a_field_are_cut_not_refused(catalogue, client):
    essay = "Offline immutable backups against ransomware. " + "Minutes of the meeting. " * 500
    assert len(essay) > 10_000
    assert ids(discovery.suggest(title=essay, summary=essay))[:1] == [catalogue["backups"].pk]
    response = client.get(reverse("practices:similar"), {"title": essay, "summary": essay})
    assert response.status_code == 200


@pytest.mark.parametrize("title", ["停车位 传感器 🚗", "Сенсоры парковки", "🚗🅿️✨", "données de stationnement"])
def test_non_latin_text_and_emoji_work(catalogue, title, client):
    assert isinstance(discovery.suggest(title=title, summary=title), list)
    assert client.get(reverse("practices:similar"), {"title": title}).status_code == 200
    assert client.get(reverse("practices:list"), {"q": title}).status_code == 200


@pytest.mark.parametrize(
    "summary",
    [
        "We want a firm on call before the next cyber incident, with agreed rates and response times. " * 12,
        "停车位传感器让司机知道哪里有空位" * 40,  # no spaces: cut where it fits
    ],
    ids=["spaced", "unspaced"],
)
def test_a_long_query_is_embedded_as_its_first_tokens(summary):
    """What a member types is embedded while they wait, and time grows with the tokens: a pasted summary is
    read as its first ``QUERY_MAX_TOKENS``, at a word's end, and means what that start means."""
    model = embeddings.get_model()
    typed = discovery.query_text("Incident response retainer for our county", summary)
    start = model.first_tokens(typed)

    assert model._model.token_count(start, True) <= embeddings.QUERY_MAX_TOKENS < model._model.token_count(typed, True)
    assert typed.startswith(start) and len(start) > len("Incident response retainer for our county.")
    assert " " not in summary[:20] or typed[len(start)] == " "  # whole words where there are spaces
    assert np.array_equal(embeddings.embed_query(typed), model.query(start))
    short = "Incident response retainer for our county"
    assert model.first_tokens(short) == short


def test_kinds_count_as_words_in_search(catalogue):
    found = Practice.objects.published().visible_to(AnonymousUser()).search("revenue model")
    assert list(found) == [catalogue["sponsorship"]]


def test_search_ignores_stop_words_on_both_databases(catalogue):
    practices = Practice.objects.published().visible_to(AnonymousUser())
    assert list(practices.search("vehicles for departments")) == [catalogue["fleet"]]


def test_search_stems_words_and_does_not_match_inside_words(catalogue):
    # "sensor" finds "sensors"; "out" is a stop word, never a piece of "Rollout" or "without".
    practices = Practice.objects.published().visible_to(AnonymousUser())
    assert catalogue["parking"] in practices.search("sensor")
    assert not practices.search("rol")


def test_search_highlights_the_matches(catalogue):
    (found,) = Practice.objects.published().visible_to(AnonymousUser()).search("metered")
    assert "\x02metered\x03" in found.headline


@pytest.fixture
def damaged_model(settings, tmp_path):
    broken = tmp_path / "model.bin"
    broken.write_bytes(b"\x00" * 4096)
    settings.DISCOVERY_MODEL_PATH = str(broken)
    embeddings.reset()
    yield
    embeddings.reset()


@pytest.fixture
def missing_model(settings, tmp_path):
    settings.DISCOVERY_MODEL_PATH = str(tmp_path / "gone.bin")
    embeddings.reset()
    yield
    embeddings.reset()


@pytest.mark.parametrize("model", ["damaged_model", "missing_model"])
def test_without_the_model_discovery_falls_back_to_words_with_a_warning(catalogue, model, request, caplog, client):
    request.getfixturevalue(model)
    with caplog.at_level(logging.WARNING, logger="practices.discovery.embeddings"):
        results = discovery.suggest(title="Offline backups against ransomware")
    assert ids(results)[:1] == [catalogue["backups"].pk]
    assert all("similar meaning" not in s.reason for s in results)
    assert "ranking by words only" in caplog.text
    response = client.get(reverse("practices:similar"), {"title": "Offline backups against ransomware"})
    assert response.status_code == 200
    assert discovery.suggest(title="Switching city cars from gasoline to battery power") == []


def test_a_vector_saved_by_another_process_is_found_within_seconds(catalogue, monkeypatch):
    index = vectors.index_for(discovery.PRACTICE)
    query = embeddings.embed_query("Bike lanes protected by planters")
    assert index.search(query, 1)  # loaded now
    lanes = PracticeFactory(title="Protected bike lanes with planters", visibility=PUBLIC)
    # Another process (the worker) writes the vector; this process's index learns it at its next look.
    vector = embeddings.embed_passages([lanes.title])[0]
    DocumentVector.objects.create(
        doc_type="practice", doc_id=lanes.pk, model=embeddings.MODEL_NAME, vector=vector.tobytes()
    )
    monkeypatch.setattr(vectors, "CHECK_INTERVAL_SECONDS", 0)
    assert index.search(query, 1)[0][0] == lanes.pk


def test_saving_a_practice_embeds_it_after_commit(
    member, coalition, cybersecurity, kind, django_capture_on_commit_callbacks
):
    from practices import services

    with django_capture_on_commit_callbacks(execute=True):
        practice = services.create_practice(
            author=member,
            coalition=coalition,
            data={
                "title": "Cyber hygiene checklist",
                "summary": "Ten steps.",
                "kind": kind,
                "focus_areas": [cybersecurity],
            },
            publish=True,
        )
    row = DocumentVector.objects.get(doc_type="practice", doc_id=practice.pk)
    assert row.model == embeddings.MODEL_NAME
    assert np.frombuffer(bytes(row.vector), dtype=np.float32).shape == (embeddings.DIMENSIONS,)


def test_a_deleted_practice_leaves_no_discovery_rows(catalogue):
    parking = catalogue["parking"]
    parking.delete()
    assert not DocumentVector.objects.filter(doc_type="practice", doc_id=parking.pk).exists()
    assert discovery.suggest(title=parking.title) == [] or parking.pk not in ids(discovery.suggest(title=parking.title))


def test_a_renamed_kind_is_searchable_by_its_new_name(catalogue):
    PracticeKind.objects.filter(slug="revenue-model").update(name="Sponsorship deal")
    words.index_practice_words([catalogue["sponsorship"].pk])
    assert list(Practice.objects.published().search("sponsorship deal")) == [catalogue["sponsorship"]]


def test_anonymous_search_says_how_many_members_only_practices_match_never_which(catalogue, client):
    html = client.get(reverse("practices:list"), {"q": "ransomware tabletop"}).content.decode()
    assert "1 members-only practice also matches" in html
    assert "Sign in" in html
    assert catalogue["members_only"].title not in html
    assert "No practices match" not in html


def test_members_see_members_only_matches_without_the_notice(catalogue, member_client):
    html = member_client.get(reverse("practices:list"), {"q": "ransomware tabletop"}).content.decode()
    assert catalogue["members_only"].title in html
    assert "members-only practice also" not in html


def test_search_lists_meaning_only_matches_after_word_matches_labelled(catalogue, client):
    response = client.get(reverse("practices:list"), {"q": "EV transition of government-owned cars"})
    html = response.content.decode()
    assert [p.pk for p in response.context["meaning_matches"]] == [catalogue["fleet"].pk]
    assert "Related by meaning" in html
    assert "No practices match" not in html


def test_search_highlights_matches_on_the_page(catalogue, client):
    html = client.get(reverse("practices:list"), {"q": "metered"}).content.decode()
    assert "<mark>metered</mark>" in html


def test_similar_endpoint_answers_title_url_coalition_summary_and_reason(catalogue, client):
    response = client.get(
        reverse("practices:similar"),
        {
            "title": "Offline backups against ransomware",
            "summary": "Copies nobody can alter.",
            "focus_areas": "cybersecurity",
        },
    )
    (first, *_) = response.json()["results"]
    backups = catalogue["backups"]
    assert first["title"] == backups.title and first["url"] == backups.get_absolute_url()
    assert first["coalition"] == backups.coalition.name and first["summary"] == backups.summary
    assert "Cybersecurity" in first["reason"]


def test_similar_endpoint_with_nothing_alike_answers_an_empty_list(catalogue, client):
    response = client.get(reverse("practices:similar"), {"title": "Volunteer roster for a community garden"})
    assert response.json() == {"results": []}


def test_similar_endpoint_budget(catalogue, client, django_assert_max_num_queries):
    # Document frequencies, the candidates' words, the vectors' last change, and the few practices shown;
    # on SQLite also the rare words' posting lists (one query for all of them).
    with django_assert_max_num_queries(5 if connection.vendor == "postgresql" else 6):
        client.get(reverse("practices:similar"), {"title": "Offline backups", "focus_areas": "cybersecurity"})


def _create(member, coalition, kind, area, title):
    from practices import services

    return services.create_practice(
        author=member,
        coalition=coalition,
        data={"title": title, "summary": "A summary.", "kind": kind, "focus_areas": [area]},
        publish=True,
    )


def test_practices_saved_in_one_transaction_are_embedded_by_one_task_after_commit(
    member, coalition, cybersecurity, kind, django_capture_on_commit_callbacks, monkeypatch
):
    """An import or seed_demo saves many practices at once: one task embeds them all and re-makes the
    similar lists once, instead of one task (and 40 neighbours' rankings) per practice."""
    from practices import tasks

    calls = []
    monkeypatch.setattr(tasks.embed_practices, "delay", lambda ids: calls.append(("embed", ids)))
    monkeypatch.setattr(tasks.refresh_similar_practices, "delay", lambda ids: calls.append(("refresh", ids)))
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        saved = [_create(member, coalition, kind, cybersecurity, f"Cyber checklist {n}") for n in range(4)]

    assert calls == [("embed", [p.pk for p in saved])]


def test_a_rolled_back_save_leaves_nothing_pending_that_the_next_commit_misses(
    member, coalition, cybersecurity, kind, django_capture_on_commit_callbacks, monkeypatch
):
    from practices import tasks

    calls = []
    monkeypatch.setattr(tasks.embed_practices, "delay", lambda ids: calls.append(ids))
    with django_capture_on_commit_callbacks(execute=True):
        with suppress(RuntimeError), transaction.atomic():
            _create(member, coalition, kind, cybersecurity, "Taken back")
            raise RuntimeError("the request failed")
        kept = _create(member, coalition, kind, cybersecurity, "Kept")

    assert len(calls) == 1 and kept.pk in calls[0]


def test_the_similar_lists_of_a_burst_are_made_once(
    member, coalition, cybersecurity, kind, django_capture_on_commit_callbacks, monkeypatch
):
    refreshed = []
    real = discovery.refresh_similar
    monkeypatch.setattr(discovery, "refresh_similar", lambda ids, **kw: refreshed.append(list(ids)) or real(ids, **kw))
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        saved = [_create(member, coalition, kind, cybersecurity, f"Phishing drill {n}") for n in range(3)]

    assert refreshed[0] == [p.pk for p in saved]
    assert SimilarPractice.objects.filter(practice__in=saved).exists()


def test_a_common_words_document_frequency_is_kept_an_hour_and_a_rare_ones_a_minute(db, monkeypatch):
    PracticeFactory.create_batch(3, title="Curb sensors", status=Practice.Status.PUBLISHED)
    PracticeFactory(title="Ransomware drill", status=Practice.Status.PUBLISHED)
    monkeypatch.setattr(words, "COMMON_CAP", 2)  # "curb" is common here, "ransomwar" rare
    monkeypatch.setattr(words, "_shared_cache", lambda: None)  # the process's own memory (Redis's has its own test)
    clock = [1000.0]
    monkeypatch.setattr(words.time, "monotonic", lambda: clock[0])
    words.reset()

    def frequencies(*asked):
        """The frequencies, and how many words the database was asked to count (each is a LIMIT)."""
        with CaptureQueriesContext(connection) as queries:
            _, found = words.document_frequencies(list(asked))
        return found, sum(query["sql"].count("LIMIT") for query in queries.captured_queries)

    assert frequencies("curb", "ransomwar") == ({"curb": 2, "ransomwar": 1}, 2)  # to the cap; exactly below it
    PracticeFactory(title="Ransomware tabletop", status=Practice.Status.PUBLISHED)
    clock[0] += words.DF_TTL_SECONDS + 1
    assert frequencies("curb", "ransomwar") == ({"curb": 2, "ransomwar": 2}, 1)  # only the rare word recounted
    clock[0] += words.COMMON_DF_TTL_SECONDS
    assert frequencies("curb") == ({"curb": 2}, 1)  # and the common one after the hour


@pytest.mark.skipif(not settings.REDIS_URL, reason="processes share what they counted only through Redis")
def test_a_process_that_counted_nothing_finds_in_redis_what_another_counted(db):
    PracticeFactory.create_batch(2, title="Curb sensors", status=Practice.Status.PUBLISHED)
    words.reset()
    with CaptureQueriesContext(connection) as first:
        counted = words.document_frequencies(["curb", "ransomwar"])

    words.reset()  # as a web process that has just started
    with CaptureQueriesContext(connection) as second:
        found = words.document_frequencies(["curb", "ransomwar"])

    assert counted == found == (2, {"curb": 2, "ransomwar": 0})
    assert len(first) == 1 and len(second) == 0
    with CaptureQueriesContext(connection) as third:  # a word nobody counted yet is counted, alone
        assert words.document_frequencies(["curb", "sensor"]) == (2, {"curb": 2, "sensor": 2})
    assert len(third) == 1 and third.captured_queries[0]["sql"].count("LIMIT") == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statistics on the search vectors")
def test_a_large_catalogues_common_words_are_read_from_postgresqls_statistics_not_counted(db, monkeypatch):
    curbs = PracticeFactory.create_batch(20, title="Curb sensors", status=Practice.Status.PUBLISHED)
    PracticeFactory(title="Ransomware drill", status=Practice.Status.PUBLISHED)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE practices_practice")  # what autovacuum does for a large table
    Practice.objects.filter(pk__in=[p.pk for p in curbs[:10]]).delete()  # after it: the statistics lag
    monkeypatch.setattr(words, "_shared_cache", lambda: None)

    def frequencies():
        words.reset()
        return words.document_frequencies(["curb", "ransomwar", "zoning"])

    # A small catalogue is counted exactly, whatever its statistics say.
    assert frequencies() == (11, {"curb": 10, "ransomwar": 1, "zoning": 0})
    monkeypatch.setattr(words, "ESTIMATE_FROM_ROWS", 10)
    # A large one: its size and its most common lexemes from the statistics (as ANALYZE saw them, 20 of 21
    # practices with "curb"), capped as a count is; a word they do not list is counted.
    monkeypatch.setattr(words, "COMMON_CAP", 15)
    assert frequencies() == (21, {"curb": 15, "ransomwar": 1, "zoning": 0})
    monkeypatch.setattr(words, "COMMON_CAP", 1000)
    assert frequencies() == (21, {"curb": 20, "ransomwar": 1, "zoning": 0})


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's two ways of reading a word's levels")
def test_sqlite_reads_the_same_levels_from_posting_lists_as_row_by_row(catalogue, monkeypatch):
    """A rare word's levels come from its posting lists, a common one's from a lookup per candidate: both
    give each word where it is (title A, summary and the other middle fields B, body C)."""
    wanted = {"ransomwar": 1.0, "backup": 1.0, "network": 0.5, "park": 1.0, "sensor": 0.5, "citi": 0.5}
    PracticeFactory(title="Tape rotation", summary="Weekly tapes.", body="Kept off the network, against ransomware.")
    everything = Practice.objects.all()

    def ranked(doclist_max_df):
        monkeypatch.setattr(words, "DOCLIST_MAX_DF", doclist_max_df)
        words.reset()
        candidates, _ = words.rank(everything, wanted)
        return {c.pk: (round(c.word_score, 6), c.word_levels) for c in candidates}

    from_posting_lists, row_by_row = ranked(10**6), ranked(-1)
    assert from_posting_lists == row_by_row
    backups = from_posting_lists[catalogue["backups"].pk][1]
    assert backups["ransomwar"] == "A" and backups["backup"] == "A" and backups["network"] == "B"
    assert {"ransomwar": "C", "network": "C"}.items() <= next(
        levels for _, levels in from_posting_lists.values() if levels.get("ransomwar") == "C"
    ).items()


def test_a_passage_embedded_once_is_not_embedded_again(monkeypatch):
    """Saving a practice again with the same title and summary costs no second embedding."""
    model = embeddings.get_model()
    assert model is not None
    embeddings.forget_queries()
    asked = []
    embed = model.passages
    monkeypatch.setattr(model, "passages", lambda texts: asked.append(list(texts)) or embed(texts))

    first = embeddings.embed_passages(["Bike lanes behind planters", "Curb occupancy sensors"])
    second = embeddings.embed_passages(["Curb occupancy sensors", "Tree canopy survey"])

    assert asked == [["Bike lanes behind planters", "Curb occupancy sensors"], ["Tree canopy survey"]]
    assert np.array_equal(first[1], second[0]) and second.shape == (2, embeddings.DIMENSIONS)
    embeddings.forget_queries()
    embeddings.embed_passages(["Tree canopy survey"])
    assert asked[-1] == ["Tree canopy survey"]  # forgotten: embedded again
