"""The PDF reader on small PDFs drawn for each layout: columns, pages, furniture, entry starts, characters, errors."""

from __future__ import annotations

import pytest

pytest.importorskip("pypdfium2")
pytest.importorskip("reportlab")

from pdfbuild import UNICODE_FONT, Flow, Text, width, wrap, write_many_pages, write_pdf

from refkit.errors import InputError, NoReferencesError
from refkit.extract import extract
from refkit.extract.pdf import MAX_PDF_PAGES, extract_pdf

JOURNALS = ("Journal of Test Medicine", "Annals of Layout Research", "Clinical Typesetting Letters")


def reference(n: int) -> str:
    """A Vancouver-style reference long enough to wrap in a column."""
    journal = JOURNALS[n % 3]
    return (
        f"Author{n} A, Writer B, Scholar C. A study of item {n} and its long-term consequences in a cohort of "
        f"patients. {journal}. {1990 + n % 30};{n}({n % 12 + 1}):{100 + n}-{110 + n}."
    )


def body(words: int) -> list[str]:
    text = " ".join(f"bodyword{i}" for i in range(words))
    return wrap(text, 230)


def test_two_column_numbered_list_runs_across_columns_and_pages(tmp_path):
    flow = Flow(columns=(56.0, 310.0), top=70.0, bottom=780.0)
    for line in body(260):
        flow.line(line)
    flow.line("References", size=11, gap=8)
    expected = []
    for n in range(1, 41):
        text = reference(n)
        expected.append(text)
        label = f"[{n}]"
        for k, line in enumerate(wrap(text, 215)):
            flow.line(f"{label} {line}" if k == 0 else line, indent=0 if k == 0 else 14, gap=3 if k == 0 else 0)
    pages = flow.furniture("Journal of Test Medicine 12 (2024) 1-9")
    path = write_pdf(tmp_path / "two.pdf", pages)
    cits = extract_pdf(path)
    assert [c.raw for c in cits] == expected
    assert [c.source.label for c in cits] == [str(n) for n in range(1, 41)]
    # the list starts in one column and goes on in the next column and on the next page
    places = {(c.source.page, c.source.column) for c in cits}
    assert len(places) >= 3
    assert sorted(places) == sorted(places, key=lambda p: (p[0], p[1]))
    positions = [(c.source.page, c.source.column) for c in cits]
    assert positions == sorted(positions)
    assert all(c.source.line > 0 for c in cits)
    assert not any("Journal of Test Medicine 12" in c.raw or "bodyword" in c.raw for c in cits)


def test_running_headers_page_numbers_and_line_numbers_are_left_out(tmp_path):
    flow = Flow(columns=(80.0,), top=80.0, bottom=760.0)
    flow.line("References", size=11)
    expected = []
    for n in range(1, 61):
        text = reference(n).replace(f"Author{n} A, ", f"Smith{n} J, ")
        expected.append(text)
        for k, line in enumerate(wrap(text, 420)):
            flow.line(line, indent=0 if k == 0 else 18)
    pages = flow.furniture("Preprint - not peer reviewed - Layout Research Letters")
    # a preprint's line numbers in the left margin, counting down every page
    count = 0
    numbered = []
    for items in pages:
        rows = sorted({t.y for t in items if t.x >= 80})
        numbers = []
        for y in rows:
            count += 1
            numbers.append(Text(40, y, str(count), 7))
        numbered.append([*items, *numbers])
    cits = extract_pdf(write_pdf(tmp_path / "furniture.pdf", numbered))
    assert [c.raw for c in cits] == expected
    assert len({c.source.page for c in cits}) >= 2


def test_hanging_indent_author_year_list(tmp_path):
    entries = [
        "Armstrong, G. & Harris, R. (1991). Football hooliganism: Theory and evidence. Sociological Review, 39, "
        "427-458.",
        "Bohnsack, R. (1995). Episodale Schicksalsgemeinschaft und die Genese von Jugendgewalt. Zur Alltagspraxis "
        "und Sozialisationsgeschichte von Hooligans. Soziale Probleme, 6, 216-231.",
        "Clarke, J. (1978). Football and working class fans: Tradition and change. In R. Ingham (Ed.), Football "
        "hooliganism: The wider context (pp. 37-60). London: Inter-Action Imprint.",
        "Dunning, E. (2000). Towards a sociological understanding of football hooliganism as a world phenomenon. "
        "European Journal on Criminal Policy and Research, 8(2), 141-162.",
    ]
    flow = Flow(columns=(70.0,))
    for line in body(60):
        flow.line(line)
    flow.line("Literatur", size=11, gap=10)
    for text in entries:
        for k, line in enumerate(wrap(text, 300)):
            flow.line(line, indent=0 if k == 0 else 20)
    cits = extract_pdf(write_pdf(tmp_path / "hanging.pdf", flow.pages))
    assert [c.raw for c in cits] == entries
    assert all(c.source.label is None and c.source.column == 1 and c.source.page == 1 for c in cits)


def test_entries_told_apart_by_vertical_gaps_and_numbers(tmp_path):
    entries = [reference(n) for n in range(1, 6)]
    gap_flow = Flow(columns=(70.0,))
    gap_flow.line("References", size=11)
    for text in entries:
        for k, line in enumerate(wrap(text, 330)):
            gap_flow.line(line, gap=6 if k == 0 else 0)
    cits = extract_pdf(write_pdf(tmp_path / "gaps.pdf", gap_flow.pages))
    assert [c.raw for c in cits] == entries
    # "1." labels without indent or gap; a wrapped line that starts with a number is not a new entry
    dot_flow = Flow(columns=(70.0,))
    dot_flow.line("Bibliography", size=11)
    numbered = [*entries, "Long A. The second volume. Layout Press; 2001. Pages 12-19 of the appendix."]
    for n, text in enumerate(numbered, 1):
        lines = wrap(f"{n}. {text}", 330)
        for line in lines:
            dot_flow.line(line)
    dot_flow.line("2. This line continues the last entry, 2003.")
    cits = extract_pdf(write_pdf(tmp_path / "dots.pdf", dot_flow.pages))
    assert [c.source.label for c in cits] == ["1", "2", "3", "4", "5", "6"]
    assert [c.raw for c in cits[:5]] == entries
    assert cits[5].raw.endswith("appendix. 2. This line continues the last entry, 2003.")


def test_superscript_numbers_start_entries(tmp_path):
    items = [Text(70, 80, "References", 11)]
    y = 100.0
    expected = []
    for n in range(1, 5):
        text = reference(n)
        expected.append(text)
        items.append(Text(70, y - 3, str(n), 6))
        for line in wrap(text, 330):
            items.append(Text(70 + width(str(n), size=6) + 1, y, line))
            y += 11
    cits = extract_pdf(write_pdf(tmp_path / "sup.pdf", [items]))
    assert [c.raw for c in cits] == expected
    assert [c.source.label for c in cits] == ["1", "2", "3", "4"]


def test_line_end_hyphens(tmp_path):
    lines = [
        ("1. Sánchez-", "Schmidt A, Lee B. Neuro-"),
        ("blastoma in children, 2016-", "2019. Pediatr Res. 2020;5:1-9. https://doi.org/10.1000/"),
        ("abc.2020.123", ""),
        ("2. Gómez C. Well known results. Ann Test. 2018;3:4-5. doi:10.1016/j.cell.2018.", "02.011"),
    ]
    items = [Text(70, 80, "References", 11)]
    y = 100.0
    for left, right in lines:
        items.append(Text(70, y, left))
        if right:
            y += 11
            items.append(Text(84, y, right))
        y += 11
    cits = extract_pdf(write_pdf(tmp_path / "hyphen.pdf", [items]))
    assert [c.raw for c in cits] == [
        "Sánchez-Schmidt A, Lee B. Neuroblastoma in children, 2016-2019. Pediatr Res. 2020;5:1-9. "
        "https://doi.org/10.1000/abc.2020.123",
        "Gómez C. Well known results. Ann Test. 2018;3:4-5. doi:10.1016/j.cell.2018.02.011",
    ]


@pytest.mark.skipif(not UNICODE_FONT.exists(), reason="needs the DejaVu Sans font")
def test_ligatures_soft_hyphens_odd_spaces_and_combining_accents(tmp_path):
    font = "DejaVuSans"
    items = [
        Text(70, 80, "References", 11, font),
        Text(70, 100, "1. Ofﬁce A, Ruﬄe B, Muu\u0308ller C. E\ufb00ects of baﬄing ﬂows on stu\u00ad", 9, font),
        Text(84, 111, "dents\u00a0and\u200b teachers. J Test. 2019;1:2-3.", 9, font),
    ]
    cits = extract_pdf(write_pdf(tmp_path / "chars.pdf", [items]))
    assert [c.raw for c in cits] == [
        "Office A, Ruffle B, Muüller C. Effects of baffling flows on students and teachers. J Test. 2019;1:2-3."
    ]


def test_footnote_references_when_there_is_no_list(tmp_path):
    items = []
    y = 80.0
    for k, line in enumerate(body(120)):
        items.append(Text(70, y, line, 10))
        if k in (2, 6):
            items.append(Text(70 + width(line, size=10) + 1, y - 4, str(1 if k == 2 else 2), 6))
        y += 13
    notes = [
        "Weber, Max (1922): Wirtschaft und Gesellschaft. Tübingen: Mohr.",
        "Luhmann, Niklas (1984): Soziale Systeme. Grundriß einer allgemeinen Theorie. Frankfurt am Main: "
        "Suhrkamp, S. 30-45.",
    ]
    y = 700.0
    for n, note in enumerate(notes, 1):
        items.append(Text(70, y - 3, str(n), 5))
        for line in wrap(note, 420, size=8):
            items.append(Text(76, y, line, 8))
            y += 10
    cits = extract_pdf(write_pdf(tmp_path / "notes.pdf", [items]))
    assert [c.raw for c in cits] == notes
    assert [(c.source.part, c.source.label, c.source.page) for c in cits] == [
        ("footnote", "1", 1),
        ("footnote", "2", 1),
    ]


def test_no_reference_list(tmp_path):
    items = [Text(70, 80 + 13 * k, line, 10) for k, line in enumerate(body(100))]
    path = write_pdf(tmp_path / "plain.pdf", [items])
    with pytest.raises(NoReferencesError, match=r"plain\.pdf: no reference list found"):
        extract_pdf(path)


def test_scanned_pdf_says_to_run_ocr(tmp_path):
    path = write_pdf(tmp_path / "scan.pdf", [[], []], image_only=True)
    with pytest.raises(InputError) as info:
        extract_pdf(path)
    assert str(info.value) == f"{path}: no text layer: run OCR first, e.g. ocrmypdf"


def _small_list() -> list[list[Text]]:
    items = [Text(70, 80, "References", 11)]
    items += [Text(70, 100 + 11 * n, f"{n}. {reference(n)[:90]}") for n in range(1, 4)]
    return [items]


def test_encrypted_pdf_with_empty_user_password_is_read(tmp_path):
    path = write_pdf(tmp_path / "open.pdf", _small_list(), user_password="")
    assert path.read_bytes().count(b"/Encrypt") >= 1
    cits = extract_pdf(path)
    assert [c.source.label for c in cits] == ["1", "2", "3"]
    assert cits[0].raw == reference(1)[:90]


def test_encrypted_pdf_with_user_password_is_one_clear_line(tmp_path):
    path = write_pdf(tmp_path / "locked.pdf", _small_list(), user_password="secret")
    with pytest.raises(InputError) as info:
        extract_pdf(path)
    message = str(info.value)
    assert message.startswith(f"{path}: encrypted PDF") and "password" in message and "\n" not in message


def test_truncated_and_damaged_pdfs_are_one_clear_line(tmp_path):
    whole = write_pdf(tmp_path / "whole.pdf", _small_list()).read_bytes()
    for name, data in (("cut.pdf", whole[: len(whole) // 3]), ("junk.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 50)):
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(InputError) as info:
            extract_pdf(path)
        assert str(info.value).startswith(f"{path}: ") and "\n" not in str(info.value)


def test_pdf_with_a_txt_suffix_is_read_as_pdf(tmp_path):
    path = tmp_path / "references.txt"
    path.write_bytes(write_pdf(tmp_path / "x.pdf", _small_list()).read_bytes())
    cits = extract(path)
    assert [c.source.label for c in cits] == ["1", "2", "3"]
    assert cits[0].source.file == str(path) and cits[0].source.page == 1
    # the line within the page: the heading is line 1
    assert [c.source.line for c in cits] == [2, 3, 4]


def test_more_pages_than_the_limit_is_refused_at_once(tmp_path):
    path = write_many_pages(tmp_path / "huge.pdf", 10_000)
    assert MAX_PDF_PAGES < 10_000
    with pytest.raises(InputError) as info:
        extract_pdf(path)
    assert str(info.value) == f"{path}: 10,000 pages is more than the {MAX_PDF_PAGES:,}-page limit; split it first"


def test_many_empty_pages_within_the_limit_are_a_scan(tmp_path):
    path = write_many_pages(tmp_path / "blank.pdf", 300)
    with pytest.raises(InputError, match="no text layer"):
        extract_pdf(path)


GERMAN_ENTRIES = [
    "Allmendinger, Jutta, Leibfried, Stefan, 2003: Education and the welfare state: the four worlds of "
    "competence production. In Journal of Social Policy, 13. Jg., S. 63-81.",
    "Esping-Andersen, Gösta, 1990: The Three Worlds of Welfare Capitalism, Princeton, N.J.",
    "Ginsburg, Norman, 1992: Divisions of Welfare. A Critical Introduction to Comparative Social Policy, London.",
    "Roller, Edeltraud, 1992: Einstellungen der Bürger zum Wohlfahrtsstaat der Bundesrepublik, Opladen.",
    "Svallfors, Stefan (Hrsg.), 2012: Contested Welfare States. Welfare Attitudes in Europe and Beyond, Stanford.",
    "Van Oorschot, Wim, Meuleman, Bart, 2012: Welfare Performance and Welfare Support. In S. Svallfors (Hrsg.), "
    "Contested Welfare States, 25-57. Stanford, CA.",
]


def test_list_without_heading_is_a_run_of_author_year_entries(tmp_path):
    flow = Flow(columns=(42.0, 217.0, 392.0), top=80.0, bottom=800.0, leading=10.0)
    for line in wrap(" ".join(f"Textwort{i}" for i in range(420)), 150):
        flow.line(line)
    # notes in the same type, citing in the text's own way, then the list with no heading of its own
    flow.line("1 Diese Unterscheidung entspricht", gap=10)
    flow.line("der von Roller (1992) vorgenommenen.", indent=11)
    flow.line("2 Vgl. dazu Allmendinger/Leibfried 2003.")
    for k, text in enumerate(GERMAN_ENTRIES):
        for i, line in enumerate(wrap(text, 150)):
            flow.line(line, indent=0 if i == 0 else 11, gap=10 if k == i == 0 else 0)
    # the authors' address after the list, set apart
    flow.line("Jutta Muster, Institut für Soziologie", gap=10, size=9.3)
    flow.line("Universität Heidelberg, Tel. 06221-542980", size=9.3)
    cits = extract_pdf(write_pdf(tmp_path / "noheading.pdf", flow.pages))
    assert [c.raw for c in cits] == GERMAN_ENTRIES


def test_body_text_citing_names_and_years_is_no_list(tmp_path):
    flow = Flow(columns=(70.0,))
    for n in range(4):
        flow.line(f"Roller, Edeltraud, {1990 + n}: argued in the text that welfare attitudes differ,")
        flow.line("which the following paragraph takes up and discusses at some length.")
    with pytest.raises(NoReferencesError):
        extract_pdf(write_pdf(tmp_path / "body.pdf", flow.pages))


def test_hanging_indent_line_set_flush_by_mistake_stays_in_its_entry(tmp_path):
    entries = [
        "Black, D. (2010). The ambiguities of development: Implications for development through sport. Sport in "
        "Society, 13(1), 121-129.",
        "Bloom, M., Grant, M., & Watt, D. (2005). Strengthening Canada: The socio-economic benefits of sport "
        "participation in Canada. Ottawa: Conference Board of Canada.",
        "UNICEF. (2006). Monitoring and evaluation for sport-based programming. New York: UNICEF.",
        "Tacon, R. (2007). Football and social inclusion: Evaluating social policy. Managing Leisure, 12(1), 1-23.",
    ]
    flow = Flow(columns=(70.0,))
    flow.line("References", size=11)
    for text in entries:
        for k, line in enumerate(wrap(text, 220)):
            # every third line is set flush, as the first lines are
            flow.line(line, indent=0 if k % 2 == 0 else 14)
    cits = extract_pdf(write_pdf(tmp_path / "flush.pdf", flow.pages))
    assert [c.raw for c in cits] == entries


def test_list_goes_on_at_the_top_of_the_next_column_beside_a_box_in_another_type(tmp_path):
    entries = [
        "Bicker, B. (2009): Theater als Parallelgesellschaft? Über das Verhältnis von Theater und Migration. In: "
        "Hess, S. / Binder, J. (Hrsg.): No integration?! Bielefeld: Transkript, S. 27-36.",
        "Krell, G. (2012): Diversity-orientierte Personalentwicklung. Systematik, Fallstricke und Chancen. Vortrag, "
        "Berlin 20.03.2012.",
        "Milagro, L. S. (2012): Die Bequemlichkeit der Definitionshoheit. URL: http://www.example.org/debatte "
        "[Zugriff am 04.09.2013].",
        "Özbilgin, M. F. (2008): Global Diversity Management. In: Smith, P. B. (Hrsg.): The Handbook of "
        "Cross-Cultural Management Research. Los Angeles: SAGE, S. 379-396.",
    ]
    items = []
    y = 80.0
    for line in body(150)[:28]:
        items.append(Text(60, y, line))
        y += 11
    items.append(Text(60, y + 12, "Literatur", 12))
    y += 36
    column = [line for text in entries[:2] for line in wrap(text, 220)]
    for line in column:
        items.append(Text(60, y, line))
        y += 11
    # the second column: the rest of the list at its top, notes, and the reviewed book's details in a box below
    y = 80.0
    for line in [line for text in entries[2:] for line in wrap(text, 220)]:
        items.append(Text(310, y, line))
        y += 11
    items.append(Text(310, y + 12, "Endnoten", 10))
    items.append(Text(310, y + 30, "1. Mandel schlägt trotzdem vor, Programme zu fördern (Mandel 2012: 242)."[:40]))
    for k, line in enumerate(
        [
            "Mandel, Birgit (2013):",
            "Interkulturelles Audience",
            "Development. Bielefeld:",
            "Transkript Verlag. 252 Seiten.",
            "ISBN 978-3-8376-2421-2.",
        ]
    ):
        items.append(Text(310, 600 + 16 * k, line, 13))
    cits = extract_pdf(write_pdf(tmp_path / "box.pdf", [items]))
    assert [c.raw for c in cits] == entries


def test_entries_without_a_year_between_references_are_kept(tmp_path):
    entries = [
        "Marković, Spasenija Pata (Hg.) (1961): Jugoslovenska kuhinja - specijaliteti. Beograd: Mladost.",
        "Menu „Adriatic“ Berlin.",
        "Menu „Dalmacija grill“, Reinickendorf.",
        "Mintz, Sydney W. (1996): Tasting Food, Tasting Freedom. Excursions into Eating, Power, and the Past. "
        "Boston: Beacon Press.",
        "Möhring, Maren (2012): Fremdes Essen. Die Geschichte der ausländischen Gastronomie. München: Oldenbourg.",
    ]
    items = [Text(70, 80, "Quellen und Literatur", 11)]
    y = 100.0
    for text in [*entries, "Die Autorin lehrt Geschichte an der Universität."]:
        for k, line in enumerate(wrap(text, 300)):
            items.append(Text(70 if k == 0 else 90, y, line, 9, "DejaVuSans"))
            y += 11
    cits = extract_pdf(write_pdf(tmp_path / "yearless.pdf", [items]))
    # kept between references; the year-less line after the last reference is not one
    assert [c.raw for c in cits] == entries


def test_full_width_notes_below_a_list_in_columns_end_it(tmp_path):
    entries = [
        f"Smith{n}, J. ({2000 + n}). Reading order of printed reference lists in two columns, part {chr(64 + n)}. "
        f"Journal of Test Layout, {n}(2), {100 + n}-{110 + n}."
        for n in range(1, 9)
    ]
    flow = Flow(columns=(56.0, 310.0), top=80.0, bottom=260.0)
    flow.line("References", size=11)
    for text in entries:
        for k, line in enumerate(wrap(text, 220)):
            flow.line(line, indent=0 if k == 0 else 14)
    assert len(flow.pages) == 1 and flow.column == 1
    bio = (
        "Jacob Muster is an Assistant Professor in the Department of Kinesiology at Example University. He has "
        "published research on urban sport since 2013, and his teaching interests include sport and globalization."
    )
    items = [*flow.pages[0], *(Text(56, 420 + 12 * k, line) for k, line in enumerate(wrap(bio, 480)))]
    cits = extract_pdf(write_pdf(tmp_path / "bio.pdf", [items]))
    assert [c.raw for c in cits] == entries
