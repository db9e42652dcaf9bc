"""Prep on a user's image folder: photos of any size are resized, bad files are rejected with a reason."""

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.common import artifacts
from {{ cookiecutter.package_name }}.cv import images, prep, shapes

from test_cv_images import photo


@pytest.fixture
def user_folder(tmp_path):
    """Synthetic shapes plus what a real folder holds: a large JPEG, a corrupt file, a stray note, a hidden file."""
    root = tmp_path / "images"
    shapes.generate(root, per_class=8)
    (root / "circle" / "holiday.JPG").write_bytes(photo(640, 480, "RGB", "JPEG"))
    (root / "square" / "broken.png").write_bytes(photo()[:200])
    (root / "cross" / "notes.txt").write_text("taken on a tuesday")
    (root / "cross" / ".DS_Store").write_bytes(b"\x00")
    return root


def read(prepared, split):
    return pd.read_csv(artifacts.split_path(prepared, split), dtype=str)


def test_bad_files_are_rejected_with_a_reason_and_the_rest_split(user_folder, tmp_path, capsys):
    out = tmp_path / "prepared"
    assert prep.main(["--input", str(user_folder), "--output", str(out), "--max-rejected-fraction", "0.1"]) == 0
    rejected = pd.read_csv(out / artifacts.REJECTED_FILE).set_index("id")
    assert set(rejected.index) == {"square/broken.png", "cross/notes.txt"}
    assert rejected.loc["square/broken.png", "reason"].startswith("image is corrupt")
    assert "suffix '.txt'" in rejected.loc["cross/notes.txt", "reason"]
    report = artifacts.read_json(out / artifacts.PREP_REPORT_FILE)
    assert report["rejected_by_rule"] == {"corrupt": 1, "not an image file": 1}
    assert report["images_valid"] == 4 * 8 + 1  # the shapes and the holiday photo
    assert "2 rejected" in capsys.readouterr().out


def test_splits_are_stratified_and_hold_resized_images(user_folder, tmp_path):
    prep.prep(user_folder, tmp_path, image_size=24, max_rejected_fraction=0.1)
    splits = {name: read(tmp_path, name) for name in artifacts.SPLITS}
    for frame in splits.values():
        assert sorted(frame["label"].unique()) == sorted(shapes.LABELS)
    ids = pd.concat([frame["id"] for frame in splits.values()])
    assert ids.is_unique
    assert "circle/holiday.JPG" in set(ids)
    sizes = {images.check_base64(text).image.size for text in splits["train"]["image"]}
    assert sizes == {(24, 24)}
    schema = artifacts.read_json(tmp_path / artifacts.SCHEMA_FILE)
    assert (schema["features"], schema["target"], schema["image_size"]) == (["image"], "label", 24)


def test_the_same_folder_gives_the_same_split(user_folder, tmp_path):
    for name in ("first", "second"):
        prep.prep(user_folder, tmp_path / name, max_rejected_fraction=0.1)
    assert read(tmp_path / "first", "test").equals(read(tmp_path / "second", "test"))


def test_evaluate_reads_the_image_column_and_string_labels(user_folder, tmp_path):
    (user_folder / "circle").rename(user_folder / "0")  # numeric folder names stay labels, not numbers
    prep.prep(user_folder, tmp_path, max_rejected_fraction=0.1)
    features, target = artifacts.read_split(tmp_path, "test")
    assert list(features.columns) == ["image"]
    assert "0" in set(target)


def test_too_many_bad_files_stop_the_step(user_folder, tmp_path, capsys):
    assert prep.main(["--input", str(user_folder), "--output", str(tmp_path)]) == 1
    assert "2 of 35 files are not usable images" in capsys.readouterr().out
    assert (tmp_path / artifacts.REJECTED_FILE).is_file()


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        ({"circle": 6}, "at least 2 needed"),
        ({"circle": 6, "square": 3}, "fewer than 5 valid images: square"),
        ({}, "no files in class folders"),
    ],
)
def test_folders_that_cannot_train_a_classifier_are_refused(tmp_path, layout, message, capsys):
    root = tmp_path / "images"
    root.mkdir()
    for label, count in layout.items():
        (root / label).mkdir()
        for number in range(count):
            (root / label / f"{number}.png").write_bytes(photo(20, 20))
    assert prep.main(["--input", str(root), "--output", str(tmp_path / "out")]) == 1
    assert message in capsys.readouterr().out
