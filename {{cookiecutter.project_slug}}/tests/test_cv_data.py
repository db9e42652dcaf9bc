"""The shipped image dataset: drawn from a fixed seed, in the folder layout a user's own images take."""

import hashlib

import numpy as np
from PIL import Image

from {{ cookiecutter.package_name }}.config import PROJECT_ROOT
from {{ cookiecutter.package_name }}.cv import RAW_DATA, ensure_raw_data, scoring, shapes


def digest(folder) -> str:
    content = hashlib.sha256()
    for file in sorted(folder.rglob("*.png")):
        content.update(file.relative_to(folder).as_posix().encode() + file.read_bytes())
    return content.hexdigest()


def test_the_dataset_is_the_same_on_every_run(tmp_path):
    shapes.generate(tmp_path / "first", per_class=3)
    shapes.generate(tmp_path / "second", per_class=3)
    assert digest(tmp_path / "first") == digest(tmp_path / "second")


def test_one_folder_of_pngs_per_class(tmp_path):
    shapes.generate(tmp_path, per_class=3)
    assert sorted(p.name for p in tmp_path.iterdir()) == list(shapes.LABELS)
    assert len(list((tmp_path / "circle").glob("circle-*.png"))) == 3


def test_the_drifted_sample_is_darker_and_larger(tmp_path):
    shapes.generate(tmp_path / "reference", per_class=10)
    shapes.generate(tmp_path / "drifted", per_class=10, seed=1, drifted=True)
    reference, drifted = scoring.profile(tmp_path / "reference"), scoring.profile(tmp_path / "drifted")
    assert (drifted["width"] > reference["width"].max()).all()
    assert drifted["brightness"].mean() < 0.7 * reference["brightness"].mean()


def test_missing_raw_data_is_drawn_once_and_then_left_alone(tmp_path, capsys):
    target = tmp_path / RAW_DATA
    assert ensure_raw_data(target) == target
    assert "drew 600 synthetic images" in capsys.readouterr().out
    marker = target / "circle" / "circle-0001.png"
    marker.write_bytes(b"a user's own file")
    ensure_raw_data(target)
    assert marker.read_bytes() == b"a user's own file"
    assert capsys.readouterr().out == ""


def test_command_line_refuses_to_overwrite_a_dataset_without_force(tmp_path, capsys):
    assert shapes.main(["--output", str(tmp_path), "--per-class", "2"]) == 0
    assert shapes.main(["--output", str(tmp_path), "--per-class", "2"]) == 1
    assert "pass --force" in capsys.readouterr().out
    assert shapes.main(["--output", str(tmp_path), "--per-class", "1", "--force"]) == 0
    assert len(list(tmp_path.rglob("*.png"))) == len(shapes.LABELS)


def test_shipped_samples_are_what_the_generator_draws(tmp_path):
    shapes.write_batch_sample(tmp_path / scoring.BATCH_SAMPLE)
    shapes.write_drift_sample(tmp_path / scoring.DRIFT_SAMPLE)
    for sample in (scoring.BATCH_SAMPLE, scoring.DRIFT_SAMPLE):
        shipped = sorted(p.name for p in (PROJECT_ROOT / sample).iterdir())
        assert shipped == sorted(p.name for p in (tmp_path / sample).iterdir())
        for name in shipped:
            if name.endswith(".png") and "corrupt" not in name:  # pixels, not bytes: PNG compressors differ
                drawn, kept = (np.asarray(Image.open(root / sample / name)) for root in (tmp_path, PROJECT_ROOT))
                assert np.array_equal(drawn, kept), name


def test_the_shipped_drift_sample_is_darker_than_the_training_images(tmp_path):
    shapes.generate(tmp_path, per_class=20)
    drifted = scoring.profile(PROJECT_ROOT / scoring.DRIFT_SAMPLE)
    assert drifted["brightness"].mean() < 0.7 * scoring.profile(tmp_path)["brightness"].mean()
