"""Serving adapter: requests checked image by image, descriptions collected instead of pixels, batch lines."""

import base64
import csv

import pytest

from {{ cookiecutter.package_name }}.common import artifacts
from {{ cookiecutter.package_name }}.config import PROJECT_ROOT
from {{ cookiecutter.package_name }}.cv import scoring, shapes
from {{ cookiecutter.package_name }}.serving.errors import BATCH_COLUMNS, RequestError

from test_cv_images import photo
from test_cv_train import prepared_shapes, train_small

BATCH_SAMPLE = PROJECT_ROOT / scoring.BATCH_SAMPLE
GOOD_SAMPLES = {"photo-01.png": "circle", "photo-02.png": "cross", "photo-03.jpg": "square", "photo-04.png": "triangle"}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def rejected(body) -> RequestError:
    with pytest.raises(RequestError) as caught:
        scoring.inputs_from_request(body)
    return caught.value


def test_both_request_formats_give_one_described_row_per_image():
    images = [b64(photo(40, 30)), b64(photo(64, 64, "L", "JPEG"))]
    inputs = scoring.inputs_from_request({"images": images})
    mlflow_format = scoring.inputs_from_request({"input_data": {"columns": ["image"], "data": [[i] for i in images]}})
    assert inputs.equals(mlflow_format)
    assert inputs[["width", "height", "format", "color_mode"]].values.tolist() == [
        [40, 30, "PNG", "RGB"],
        [64, 64, "JPEG", "L"],
    ]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ([b64(photo())], 'expected a JSON object with "images"'),
        ({"images": b64(photo())}, '"images" must be a list'),
        ({"images": []}, "holds no images"),
        ({"input_data": {"columns": ["picture"], "data": [["x"]]}}, '"input_data.columns" must be ["image"]'),
        ({"input_data": {"columns": ["image"], "data": ["x"]}}, "rows of one value each"),
    ],
)
def test_malformed_requests_are_400_with_what_was_expected(body, words):
    error = rejected(body)
    assert error.status == 400
    assert words in error.message


def test_too_many_images_is_413():
    error = rejected({"images": [b64(photo(20, 20))] * (scoring.MAX_IMAGES + 1)})
    assert error.status == 413
    assert f"at most {scoring.MAX_IMAGES}" in error.message


def test_every_bad_image_is_listed_with_its_row_and_rule():
    error = rejected({"images": [b64(photo(20, 20)), "%%%", b64(photo(kind="GIF")), b64(photo(10, 10)), 7]})
    assert error.status == 422
    assert "4 of 5 images break the rules for 'image' (PNG or JPEG" in error.message
    assert [(p["row"], p["field"]) for p in error.problems] == [(1, "image"), (2, "image"), (3, "image"), (4, "image")]
    assert error.problems[1]["problem"] == "is a GIF image: PNG or JPEG expected"
    assert error.problems[2]["problem"] == "is 10x10 pixels: each side must be at least 16"


def test_collection_stores_small_descriptions_never_pixels():
    inputs = scoring.inputs_from_request({"images": [b64(photo(300, 200))]})
    collected = scoring.collected(inputs)
    assert list(collected.columns) == scoring.PROFILE_COLUMNS
    assert "image" not in collected.columns
    assert collected.iloc[0]["aspect_ratio"] == 1.5
    assert set(scoring.DRIFT_NUMERIC + scoring.DRIFT_CATEGORICAL) <= set(collected.columns)


def test_profile_describes_every_usable_image_and_counts_the_others():
    profile = scoring.profile(BATCH_SAMPLE)
    assert list(profile.columns) == scoring.PROFILE_COLUMNS
    assert len(profile) == len(GOOD_SAMPLES)
    assert profile.attrs["rejected"] == 2  # the corrupt and the too-small file
    assert set(profile["format"]) == {"PNG", "JPEG"}


def test_profile_of_a_folder_without_images_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no usable PNG or JPEG"):
        scoring.profile(tmp_path)


@pytest.fixture(scope="module")
def model(module_mlflow_store, tmp_path_factory):
    folder = tmp_path_factory.mktemp("model")
    train_small(prepared_shapes(folder, per_class=8), folder / "trained")
    return scoring.load(folder / "trained" / artifacts.MODEL_DIR)


@pytest.mark.slow
def test_predictions_are_labels_with_their_probability(model):
    inputs = scoring.inputs_from_request({"images": [b64(photo(50, 50)), b64(photo(20, 90, "L", "JPEG"))]})
    inputs.index = [10, 11]
    scored = scoring.predict(model, inputs)
    assert list(scored.columns) == ["prediction", "probability"]
    assert list(scored.index) == [10, 11]
    assert set(scored["prediction"]) <= set(shapes.LABELS)
    assert scored["probability"].between(1 / len(shapes.LABELS), 1).all()  # the best class's probability


@pytest.mark.slow
def test_batch_lines_give_a_prediction_or_the_reason_per_file(model):
    lines = [line for path in sorted(BATCH_SAMPLE.iterdir()) for line in scoring.score_file(path, model)]
    rows = {row["source_file"]: row for row in csv.DictReader(lines, fieldnames=BATCH_COLUMNS)}
    assert set(rows) == {*GOOD_SAMPLES, "photo-05-corrupt.png", "photo-06-too-small.png"}
    for name in GOOD_SAMPLES:
        assert rows[name]["prediction"] in shapes.LABELS
        assert rows[name]["error"] == ""
    assert rows["photo-05-corrupt.png"]["prediction"] == ""
    assert rows["photo-05-corrupt.png"]["error"] == "image cannot be decoded (not a PNG or JPEG image)"
    assert "each side must be at least" in rows["photo-06-too-small.png"]["error"]


@pytest.mark.slow
def test_profile_with_a_model_adds_the_predicted_class_for_prediction_drift(model):
    sample = PROJECT_ROOT / scoring.DRIFT_SAMPLE
    profile = scoring.profile(sample, model)
    assert len(profile) == len(list(sample.iterdir()))
    assert set(profile["prediction"]) <= set(shapes.LABELS)


@pytest.mark.slow
def test_a_file_that_vanished_is_a_line_not_an_exception(model, tmp_path):
    [line] = scoring.score_file(tmp_path / "gone.png", model)
    row = next(csv.DictReader([line], fieldnames=BATCH_COLUMNS))
    assert row["source_file"] == "gone.png"
    assert row["error"].startswith("file not scored")
