"""Batch scoring: good rows of every file are scored; bad rows and a corrupt file are reported."""

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from {{ cookiecutter.package_name }}.config import PROJECT_ROOT
from {{ cookiecutter.package_name }}.serving import batch_local, batch_score
from {{ cookiecutter.package_name }}.serving.batch_text import FORMULA_STARTS, LINE_BREAKS
from {{ cookiecutter.package_name }}.serving.errors import BATCH_COLUMNS
from {{ cookiecutter.package_name }}.tabular import scoring

from serving_helpers import save_tiny_model, shipped_rows


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return save_tiny_model(tmp_path_factory.mktemp("model") / "model")


@pytest.fixture
def folder(tmp_path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    rows = shipped_rows(30).drop(columns=["defaulted"])
    rows.iloc[:10].to_csv(inputs / "a.csv", index=False)
    rows.iloc[10:20].to_parquet(inputs / "b.parquet", index=False)
    broken = rows.iloc[20:].copy()
    broken.loc[broken.index[0], "age"] = 7
    broken.loc[broken.index[1], "home_ownership"] = "TENT"
    broken.to_csv(inputs / "c.csv", index=False)
    (inputs / "d.parquet").write_bytes(b"this is not parquet")
    return inputs


def read(path):
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_folder_is_scored_into_one_file_without_losing_good_rows(folder, model_dir, tmp_path):
    output = tmp_path / "out" / "predictions.csv"
    summary = batch_local.score_folder(folder, output, model_dir, mini_batch_size=2)
    rows = read(output)
    assert summary == {"files": 4, "lines": 31, "predictions": 28, "errors": 3}
    scored = [r for r in rows if not r["error"]]
    assert {r["source_file"] for r in scored} == {"a.csv", "b.parquet", "c.csv"}
    assert all(r["prediction"] in {"0", "1"} for r in scored)
    errors = {(r["source_file"], r["row"]): r["error"] for r in rows if r["error"]}
    assert errors[("c.csv", "1")] == "age: below 18"
    assert errors[("c.csv", "2")].startswith("home_ownership: not one of")
    assert errors[("d.parquet", "")].startswith("file not scored")


def test_run_returns_csv_lines_in_row_order(folder, model_dir, monkeypatch):
    monkeypatch.setenv("AZUREML_MODEL_DIR", str(model_dir))
    batch_score.init()
    lines = batch_score.run([str(folder / "c.csv")])
    assert [line.split(",")[1] for line in lines] == [str(i) for i in range(1, 11)]


def test_file_without_required_column_is_one_error_line(model_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("AZUREML_MODEL_DIR", str(model_dir))
    batch_score.init()
    shipped_rows(5).drop(columns=["age"]).to_csv(tmp_path / "x.csv", index=False)
    (line,) = batch_score.run([str(tmp_path / "x.csv")])
    assert "file not scored" in line and "age" in line


def test_shipped_batch_sample_scores_cleanly(model_dir, tmp_path):
    summary = batch_local.score_folder(PROJECT_ROOT / "data" / "batch-sample", tmp_path / "p.csv", model_dir)
    assert summary["errors"] == 0
    assert summary["predictions"] == 300


def test_parallel_workers_write_the_same_file_as_one_process(folder, model_dir, tmp_path):
    one = batch_local.score_folder(folder, tmp_path / "one.csv", model_dir, mini_batch_size=1, workers=1)
    two = batch_local.score_folder(folder, tmp_path / "two.csv", model_dir, mini_batch_size=1, workers=2)
    assert one == two
    assert (tmp_path / "one.csv").read_text() == (tmp_path / "two.csv").read_text()


# Every line boundary str.splitlines() knows besides \n and \r: each split a scored row into several
# output records, and the summary said "6 predictions, 4 errors" for 6 good rows (issue 14, failure 6).
SEPARATORS = ["\u2028", "\x85", "\x0c", "\x1e", "\u2029", "\x0b"]


def test_ids_holding_line_separators_stay_one_record_each(model_dir, tmp_path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    rows = shipped_rows(len(SEPARATORS)).drop(columns=["defaulted"])
    rows["application_id"] = [f"A{i}{separator}B" for i, separator in enumerate(SEPARATORS)]
    rows.to_csv(inputs / "ids.csv", index=False)
    output = tmp_path / "predictions.csv"
    summary = batch_local.score_folder(inputs, output, model_dir, workers=1)
    assert summary == {"files": 1, "lines": 6, "predictions": 6, "errors": 0}
    assert len(output.read_text(encoding="utf-8").splitlines()) == 1 + 6
    assert [r["id"] for r in read(output)] == [f"A{i}\\u{ord(s):04x}B" for i, s in enumerate(SEPARATORS)]


def test_an_id_that_is_a_spreadsheet_formula_is_written_as_text(model_dir, tmp_path):
    # OWASP "CSV Injection" (https://owasp.org/www-community/attacks/CSV_Injection): cells starting with
    # = + - @ tab or carriage return run as formulas; a leading ' makes spreadsheets show them as text.
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    rows = shipped_rows(4).drop(columns=["defaulted"])
    formulas = ['=HYPERLINK("http://example.com/x","click")', "+1+1", "-2+3", "@SUM(A1)"]
    rows["application_id"] = formulas
    rows.to_csv(inputs / "f.csv", index=False)
    batch_local.score_folder(inputs, tmp_path / "p.csv", model_dir, workers=1)
    assert [r["id"] for r in read(tmp_path / "p.csv")] == ["'" + f for f in formulas]


def test_a_header_only_file_is_reported_not_silently_skipped(model_dir, tmp_path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    shipped_rows(1).drop(columns=["defaulted"]).iloc[:0].to_csv(inputs / "empty.csv", index=False)
    summary = batch_local.score_folder(inputs, tmp_path / "p.csv", model_dir, workers=1)
    assert summary == {"files": 1, "lines": 1, "predictions": 0, "errors": 1}
    assert "no rows" in read(tmp_path / "p.csv")[0]["error"]


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-8-sig", "utf-16"])
def test_files_in_common_encodings_are_scored(model_dir, tmp_path, encoding):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    rows = shipped_rows(3).drop(columns=["defaulted"])
    rows["application_id"] = ["Zoë", "Ångström", "façade"]
    (inputs / "x.csv").write_bytes(rows.to_csv(index=False).encode(encoding))
    summary = batch_local.score_folder(inputs, tmp_path / "p.csv", model_dir, workers=1)
    assert summary["predictions"] == 3, read(tmp_path / "p.csv")
    assert [r["id"] for r in read(tmp_path / "p.csv")] == ["Zoë", "Ångström", "façade"]


# Property-based fuzz of batch files (issue 14, "Also build"): ids with any characters (line separators,
# formula starts, quotes), files in several encodings and plain random bytes. Every file gives one
# safe CSV line per data row, or one line for the whole file; nothing raises.
BATCH_COUNTS = {"tried": 0, "clean": 0, "bad": 0}
ids = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12)
pieces = st.sampled_from([*LINE_BREAKS, "=", "+", "-", "@", "\t", '"', ","]) | ids
ids_with_separators = st.lists(pieces, max_size=4).map("".join)


def safe_lines(lines: list[str]) -> bool:
    records = [next(csv.reader(io.StringIO(line, newline=""))) for line in lines]
    return all(
        len(line.splitlines()) == 1
        and len(record) == len(BATCH_COLUMNS)
        and not any(cell.startswith(FORMULA_STARTS) for cell in record)
        for line, record in zip(lines, records, strict=True)
    )


@pytest.fixture(scope="module")
def model(model_dir):
    yield scoring.load(model_dir)
    print(f"\nbatch fuzz: {BATCH_COUNTS}")  # tried / clean / bad, shown with pytest -s


@pytest.mark.slow
@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    row_ids=st.lists(ids_with_separators, min_size=0, max_size=5),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
)
def test_fuzzed_csv_files_give_one_safe_line_per_row(model, tmp_path_factory, row_ids, encoding):
    rows = shipped_rows(max(len(row_ids), 1)).drop(columns=["defaulted"]).iloc[: len(row_ids)]
    rows["application_id"] = row_ids
    path = tmp_path_factory.mktemp("fuzz") / "ids.csv"
    # Quoted, as a spreadsheet writes them: an unquoted \r in a field would end the record for any CSV reader.
    path.write_bytes(rows.to_csv(index=False, quoting=csv.QUOTE_ALL).encode(encoding, errors="replace"))
    lines = batch_score.score_file(path, model)
    ok = safe_lines(lines) and len(lines) == max(len(rows), 1)
    BATCH_COUNTS["tried"] += 1
    BATCH_COUNTS["clean" if ok else "bad"] += 1
    assert ok, (row_ids, encoding, lines)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".parquet", ".txt"]))
def test_fuzzed_bytes_never_raise_and_give_safe_lines(model, tmp_path_factory, content, suffix):
    path = tmp_path_factory.mktemp("fuzz") / f"random{suffix}"
    path.write_bytes(content)
    lines = batch_score.score_file(path, model)
    ok = len(lines) >= 1 and safe_lines(lines)
    BATCH_COUNTS["tried"] += 1
    BATCH_COUNTS["clean" if ok else "bad"] += 1
    assert ok, (content, lines)
