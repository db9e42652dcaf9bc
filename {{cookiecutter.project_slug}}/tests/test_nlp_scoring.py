"""NLP serving adapter without a trained model: request validation, batch file reading, monitoring columns.

``test_nlp_train.py`` scores with a real model; here a stand-in model keeps the tests fast.
"""

import csv
import io

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from {{ cookiecutter.package_name }}.config import PROJECT_ROOT
from {{ cookiecutter.package_name }}.nlp import scoring
from {{ cookiecutter.package_name }}.serving.batch_text import FORMULA_STARTS, LINE_BREAKS
from {{ cookiecutter.package_name }}.serving.errors import BATCH_COLUMNS, RequestError


class KeywordModel:
    """Says "shipping" when a text mentions a parcel, else "billing", with the probabilities scoring expects."""

    def probabilities(self, texts):
        shipping = [0.9 if "parcel" in t.lower() else 0.2 for t in texts]
        return pd.DataFrame({"billing": [1 - s for s in shipping], "shipping": shipping})


def rejected(body) -> RequestError:
    with pytest.raises(RequestError) as caught:
        scoring.inputs_from_request(body)
    return caught.value


def test_texts_and_azure_ml_input_data_give_the_same_rows():
    texts = ["My parcel is late.", "I was charged twice."]
    plain = scoring.inputs_from_request({"texts": texts})
    azure = scoring.inputs_from_request({"input_data": {"columns": ["text"], "data": [[t] for t in texts]}})
    pd.testing.assert_frame_equal(plain, azure)
    assert plain["text"].tolist() == texts


def test_each_bad_text_is_named_with_the_rule_it_breaks():
    error = rejected({"texts": ["fine", "", "   ", 42, None, "x" * 2001]})
    assert error.status == 422
    assert "5 of 6 texts break the rules for 'text'" in error.message
    assert "at most 2000 characters" in error.message
    problems = {p["row"]: p["problem"] for p in error.problems}
    assert problems == {
        1: "empty or only whitespace",
        2: "empty or only whitespace",
        3: "must be a string, got int",
        4: "missing",
        5: "2001 characters, at most 2000 allowed",
    }
    assert {p["field"] for p in error.problems} == {"text"}


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"texts": "one text"}, 400, '"texts" must be a list'),
        ({"texts": []}, 400, "no texts"),
        ({"data": [{"text": "hi"}]}, 400, 'expected a JSON object with "texts"'),
        (["hi"], 400, 'expected a JSON object with "texts"'),
        ({"input_data": {"columns": ["message"], "data": [["hi"]]}}, 400, 'must be ["text"]'),
        ({"texts": ["hi"] * (scoring.MAX_TEXTS + 1)}, 413, f"at most {scoring.MAX_TEXTS}"),
    ],
)
def test_malformed_or_oversized_requests_are_client_errors(body, status, words):
    error = rejected(body)
    assert error.status == status
    assert words in error.message


def test_predictions_carry_the_class_and_its_probability_on_the_input_index():
    inputs = scoring.inputs_from_request({"texts": ["Where is my parcel?", "Refund please"]})
    scored = scoring.predict(KeywordModel(), inputs)
    assert scored.to_dict("list") == {"prediction": ["shipping", "billing"], "probability": [0.9, 0.8]}
    assert scored.index.equals(inputs.index)


def test_collection_describes_texts_without_storing_them():
    inputs = scoring.inputs_from_request({"texts": ["Where is my parcel A123?", "x" * 700]})
    described = scoring.collected(inputs)
    assert list(described.columns) == scoring.PROFILE_COLUMNS
    assert "text" not in described.columns
    first = described.iloc[0]
    assert (first["characters"], first["words"], first["has_question"], first["length_band"]) == (24, 5, "yes", "short")
    assert described.iloc[1]["length_band"] == "very long"
    assert set(scoring.DRIFT_NUMERIC + scoring.DRIFT_CATEGORICAL) <= set(described.columns)


def test_batch_csv_gives_a_line_per_row_with_errors_for_bad_texts(tmp_path):
    path = tmp_path / "tickets.csv"
    pd.DataFrame({"ticket_id": ["T1", "T2", "T3"], "text": ["My parcel, finally?", "", "Refund"]}).to_csv(
        path, index=False
    )
    lines = scoring.score_file(path, KeywordModel())
    assert lines == [
        "tickets.csv,1,T1,shipping,0.9,",
        "tickets.csv,2,T2,,,text: empty or only whitespace",
        "tickets.csv,3,T3,billing,0.8,",
    ]
    assert len(lines[0].split(",")) == len(BATCH_COLUMNS)


def test_batch_txt_numbers_texts_by_line_and_skips_blank_lines(tmp_path):
    path = tmp_path / "tickets.txt"
    path.write_text("My parcel is late\n\nRefund me\n", encoding="utf-8")
    assert scoring.score_file(path, KeywordModel()) == [
        "tickets.txt,1,,shipping,0.9,",
        "tickets.txt,3,,billing,0.8,",
    ]


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("export.csv", b"id,message\n1,hello\n", "no 'text' column (columns: id, message)"),
        ("tickets.txt", b"\x81\x8d broken \x90", "not text in utf-8-sig or cp1252"),  # bytes no text encoding has
        ("tickets.csv", b"text\nab\x00\x00\x01c\n", "binary data"),
        ("scan.pdf", b"%PDF-1.4", "unsupported file type '.pdf'"),
    ],
)
def test_a_file_that_cannot_be_read_is_one_error_line_not_an_exception(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    [line] = scoring.score_file(path, KeywordModel())
    assert line.startswith(f"{name},,,,,")
    assert words in line


def test_the_shipped_batch_sample_has_good_texts_bad_texts_and_a_bad_file():
    folder = PROJECT_ROOT / scoring.BATCH_SAMPLE
    lines = [line for path in sorted(folder.iterdir()) for line in scoring.score_file(path, KeywordModel())]
    errors = [line for line in lines if not line.endswith(",")]
    assert len(lines) == 40 + 25 + 1
    assert len(errors) == 3
    assert any("file not scored" in line for line in errors)


def test_profile_describes_valid_texts_and_counts_the_rest():
    reference = scoring.profile(PROJECT_ROOT / "data" / "nlp" / "support_tickets.csv")
    current = scoring.profile(PROJECT_ROOT / scoring.DRIFT_SAMPLE, KeywordModel())
    assert list(reference.columns) == scoring.PROFILE_COLUMNS
    assert reference.attrs["rejected"] == 3  # the empty and the too long texts of the shipped rows
    assert list(current.columns) == [*scoring.PROFILE_COLUMNS, "prediction"]
    assert current["characters"].median() > 2 * reference["characters"].median()


def test_drift_reference_holds_exactly_the_rows_prep_kept(tmp_path):
    """Rows with a missing or unknown label are not training data: the reference counted 2003 texts of prep's 2000."""
    from {{ cookiecutter.package_name }}.monitoring import drift
    from {{ cookiecutter.package_name }}.nlp import prep

    raw = PROJECT_ROOT / drift.RAW_DATA
    summary = drift.report(PROJECT_ROOT / scoring.DRIFT_SAMPLE, raw, tmp_path / "drift", drift.thresholds("dev"))
    prepared = prep.prep(raw, tmp_path / "prepared")
    assert (summary["reference_rows"], summary["reference_rejected"]) == (
        prepared["rows_valid"],
        prepared["rows_rejected"],
    )


def test_batch_ids_with_line_separators_or_formulas_stay_one_inert_record_each(tmp_path):
    # U+2028, U+0085, \x0c and \x1e split output records before (issue 14, failure 6); a leading = + - @
    # runs as a spreadsheet formula (OWASP, "CSV Injection": https://owasp.org/www-community/attacks/CSV_Injection).
    ids = ["a\u2028b", "c\x85d", "e\x0cf", "g\x1eh", '=HYPERLINK("http://example.com")', "@cmd"]
    path = tmp_path / "tickets.csv"
    pd.DataFrame({"ticket_id": ids, "text": ["My parcel is late"] * len(ids)}).to_csv(path, index=False)
    lines = scoring.score_file(path, KeywordModel())
    assert len(lines) == len(ids)
    assert all(len(line.splitlines()) == 1 and line.endswith(",") for line in lines)
    written = [row[2] for row in csv.reader(lines)]
    assert written == ["a\\u2028b", "c\\u0085d", "e\\u000cf", "g\\u001eh", "'" + ids[4], "'@cmd"]


def test_a_text_with_a_unicode_line_separator_is_one_text_of_a_txt_file(tmp_path):
    path = tmp_path / "tickets.txt"
    path.write_text("My parcel\u2028is late\nRefund\x0cme\n", encoding="utf-8")
    assert [line.split(",")[1] for line in scoring.score_file(path, KeywordModel())] == ["1", "2"]


@pytest.mark.parametrize(("name", "content"), [("empty.csv", "ticket_id,text\n"), ("empty.txt", "\n\n")])
def test_a_file_without_texts_is_one_line_saying_so(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    [line] = scoring.score_file(path, KeywordModel())
    assert "holds no texts" in line


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-16"])
def test_batch_files_in_common_encodings_are_read(tmp_path, encoding):
    path = tmp_path / "tickets.csv"
    path.write_bytes("ticket_id,text\nT1,Le colis n'est pas arrivé (parcel)\n".encode(encoding))
    [line] = scoring.score_file(path, KeywordModel())
    assert line == "tickets.csv,1,T1,shipping,0.9,"


# Property-based fuzz of batch files (issue 14, "Also build"): any ids and texts, several encodings,
# random bytes. Each file gives one safe CSV line per text, or one line for the whole file.
characters = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
tricky = st.lists(
    st.sampled_from([*LINE_BREAKS, "=", "+", "-", "@", "\t", '"', ","]) | st.text(characters, max_size=8), max_size=4
)


def _safe(lines: list[str]) -> bool:
    records = [next(csv.reader(io.StringIO(line, newline=""))) for line in lines]
    return all(
        len(line.splitlines()) == 1 and len(record) == len(BATCH_COLUMNS) and not record[2].startswith(FORMULA_STARTS)
        for line, record in zip(lines, records, strict=True)
    )


@pytest.mark.slow
@settings(max_examples=80, deadline=None, database=None)
@given(
    rows=st.lists(st.tuples(tricky.map("".join), tricky.map("".join)), max_size=5),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
)
def test_fuzzed_csv_files_give_one_safe_line_per_text(tmp_path_factory, rows, encoding):
    path = tmp_path_factory.mktemp("fuzz") / "tickets.csv"
    frame = pd.DataFrame(rows, columns=["ticket_id", "text"])
    path.write_bytes(frame.to_csv(index=False, quoting=csv.QUOTE_ALL).encode(encoding, errors="replace"))
    lines = scoring.score_file(path, KeywordModel())
    assert _safe(lines)
    assert len(lines) == max(len(rows), 1)


@pytest.mark.slow
@settings(max_examples=80, deadline=None, database=None)
@given(content=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".txt"]))
def test_fuzzed_bytes_give_safe_lines_and_never_raise(tmp_path_factory, content, suffix):
    path = tmp_path_factory.mktemp("fuzz") / f"random{suffix}"
    path.write_bytes(content)
    lines = scoring.score_file(path, KeywordModel())
    assert lines and _safe(lines)
