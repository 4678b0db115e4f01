"""Files on a task page in a real browser (issue 15 item 6, R-6.1): a file too large for the field is caught
before the upload; the intake clerk attaches a page dressed as a PDF and is refused with everything typed still there; attaches the real scan, leaves a required field
empty and finds the scan still attached; completes; the case page lists the scan and downloads it."""
from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import UI, Shots, complete, fill_application, sign_in, start_consultation
from tests.support.sample_files import HTML, pdf

REFUSED = {"en": "is not a kind of file this field takes", "zh-Hans": "不是此栏接受的文件类型",
           "zh-Hant": "不是此欄接受的文件類型"}
ATTACHED = {"en": "Attached: ", "zh-Hans": "已附：", "zh-Hant": "已附："}


@pytest.mark.parametrize("language", ["zh-Hant", "en"])
def test_the_clerk_attaches_the_application_scan_and_the_case_page_serves_it(
        browser: Any, server: str, language: str) -> None:
    ui, shots = UI[language], Shots(f"documents-{language}")
    scan = pdf(f"application scan {language}")
    clerk = sign_in(browser, server, language, "ivy")
    start_consultation(clerk, server, language, f"Wang Xiaoming {language}")
    complete(clerk, language)

    fill_application(clerk, "+86 138 0000 0001", "phone", "Order 500 units", "Delivery in December.")
    box = clerk.locator("input[type=file][name=application_documents]")
    # Too large for the field: caught before the upload, the page stays as it is.
    box.set_input_files([{"name": "huge.pdf", "mimeType": "application/pdf", "buffer": pdf() + b" " * 10485760}])
    address = clerk.url
    clerk.get_by_role("button", name=ui["complete"], exact=True).click()
    assert "huge.pdf" in clerk.locator("[data-field=application_documents] .file-limit").inner_text()
    assert clerk.url == address and clerk.locator("[name=title]").input_value() == "Order 500 units"
    box.set_input_files([{"name": "application.pdf", "mimeType": "application/pdf", "buffer": HTML}])
    assert clerk.locator("[data-field=application_documents] .file-limit").count() == 0
    complete(clerk, language)
    assert REFUSED[language] in clerk.locator("[data-field=application_documents] .field-error").inner_text()
    assert clerk.locator("[name=title]").input_value() == "Order 500 units"  # what was typed is kept
    assert clerk.locator("[name=materials][value=application_form]").is_checked()
    shots.take(clerk, "refused-file")

    clerk.locator("input[type=file][name=application_documents]").set_input_files(
        [{"name": "application.pdf", "mimeType": "application/pdf", "buffer": scan}])
    clerk.locator("[name=title]").fill("")
    complete(clerk, language)
    assert ui["form_error"] in clerk.locator(".error").first.inner_text()
    kept = clerk.locator("[data-field=application_documents] label.attached")
    assert ATTACHED[language] + "application.pdf" in kept.inner_text()
    assert kept.locator("input[type=checkbox]").is_checked()
    shots.take(clerk, "file-kept")
    clerk.locator("[name=title]").fill("Order 500 units")
    complete(clerk, language)  # on to the pre-review, the same clerk's next form

    clerk.locator(".crumbs a[href*='/instances/']").first.click()
    clerk.wait_for_load_state()
    link = clerk.locator(".case-documents a", has_text="application.pdf")
    shots.take(clerk, "case-documents")
    with clerk.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "application.pdf"
    assert open(download.value.path(), "rb").read() == scan
    clerk.context.close()
