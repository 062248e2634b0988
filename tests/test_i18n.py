"""Translations: every committed catalogue is compiled, English is complete, the switcher works."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SKIP_DIRS = {".venv", "node_modules", "staticfiles", ".git"}
CATALOGUES = sorted(
    path.relative_to(ROOT)
    for path in ROOT.rglob("django.po")
    if not SKIP_DIRS & set(path.relative_to(ROOT).parts)
)
# English must be complete here; other apps' catalogues are checked for compilation only.
COMPLETE_ENGLISH = [
    Path("locale/en/LC_MESSAGES/django.po"),
    Path("agencies/locale/en/LC_MESSAGES/django.po"),
    Path("complaints/locale/en/LC_MESSAGES/django.po"),
    Path("credit_records/locale/en/LC_MESSAGES/django.po"),
    Path("sanctions/locale/en/LC_MESSAGES/django.po"),
    Path("evaluation/locale/en/LC_MESSAGES/django.po"),
]
# printf-style (%(name)s, %d) and str.format-style ({name}) placeholders.
PLACEHOLDER = re.compile(r"%\([A-Za-z_]+\)[sdif]|%[sdif]|\{[A-Za-z_0-9]*\}")

CHINESE = re.compile(r"[\u4e00-\u9fff]")  # a msgstr still in the source language


def _translations(entry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def _messages(catalogue) -> dict:
    """What gettext would serve: translated, non-fuzzy entries (the header excluded)."""
    messages = {}
    for entry in catalogue:
        if entry.obsolete or "fuzzy" in entry.flags or not entry.msgid:
            continue
        if entry.msgid_plural:
            forms = tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
            if all(forms):
                messages[(entry.msgctxt, entry.msgid, entry.msgid_plural)] = forms
        elif entry.msgstr:
            messages[(entry.msgctxt, entry.msgid, None)] = entry.msgstr
    return messages


def test_the_project_and_agency_catalogues_exist():
    for path in COMPLETE_ENGLISH:
        assert path in CATALOGUES


@pytest.mark.parametrize("po_path", CATALOGUES, ids=str)
def test_compiled_catalogue_matches_its_po_file(po_path, tmp_path):
    """Fails when a .po was edited and msgfmt was not run (or the .mo was not committed)."""
    mo_path = ROOT / po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{po_path.with_suffix('.mo')} missing: run msgfmt and commit it"
    fresh = tmp_path / "fresh.mo"
    polib.pofile(str(ROOT / po_path)).save_as_mofile(str(fresh))

    assert _messages(polib.mofile(str(mo_path))) == _messages(polib.mofile(str(fresh))), (
        f"{mo_path.relative_to(ROOT)} is stale: run msgfmt -o django.mo django.po"
    )


@pytest.mark.parametrize("po_path", COMPLETE_ENGLISH, ids=str)
def test_english_catalogue_has_no_missing_or_fuzzy_translation(po_path):
    catalogue = polib.pofile(str(ROOT / po_path))
    missing = [
        e.msgid
        for e in catalogue
        if not e.obsolete
        and (not all(_translations(e)) or "fuzzy" in e.flags or CHINESE.search(e.msgstr))
    ]
    assert missing == []
    assert len(catalogue) > 10


@pytest.mark.parametrize("po_path", COMPLETE_ENGLISH, ids=str)
def test_english_translations_keep_the_placeholders(po_path):
    for entry in polib.pofile(str(ROOT / po_path)):
        for msgstr in _translations(entry):
            assert entry.msgid.count("<strong>") == msgstr.count("<strong>"), entry.msgid
            assert sorted(PLACEHOLDER.findall(entry.msgid)) == sorted(
                PLACEHOLDER.findall(msgstr)
            ), entry.msgid


@pytest.mark.django_db
def test_home_page_is_chinese_by_default(client):
    html = client.get("/").content.decode()
    assert 'lang="zh-CN"' in html
    assert "我要投诉" in html
    assert "可以投诉什么" in html


@pytest.mark.django_db
def test_home_page_follows_the_browser_language(client):
    html = client.get("/", headers={"Accept-Language": "en"}).content.decode()
    assert 'lang="en"' in html
    assert "What you can complain about" in html


@pytest.mark.django_db
def test_language_switcher_changes_the_home_page_to_english_and_back(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'lang="en"' in html
    assert "File a complaint" in html
    assert "我要投诉" not in html
    # The switcher now offers Chinese.
    assert 'value="zh-hans"' in html

    # The choice sticks for later pages.
    assert "What happens next" in client.get("/").content.decode()

    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"}, follow=True)
    html = response.content.decode()
    assert 'lang="zh-CN"' in html
    assert "我要投诉" in html
    assert "File a complaint" not in html


@pytest.mark.django_db
def test_language_switcher_refuses_an_offsite_next_url(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_home_page_links_to_the_form_tracking_and_publicity(client):
    html = client.get("/").content.decode()
    for url in ("/complaints/new/", "/track/", "/credit/", "/stats/"):
        assert f'href="{url}"' in html
    assert "csrfmiddlewaretoken" in html  # the language switcher is a CSRF-protected form
