"""Image rules and preprocessing: what any image, photo or synthetic, goes through before the network sees it."""

import base64
import importlib.util
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from {{ cookiecutter.package_name }}.cv import images


def encoded(image: Image.Image, kind: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=kind)
    return buffer.getvalue()


def photo(width: int = 300, height: int = 200, mode: str = "RGB", kind: str = "PNG") -> bytes:
    """An image like a user's photo: any size, any colour mode, PNG or JPEG."""
    pixels = np.random.default_rng(0).integers(0, 256, size=(height, width, 3), dtype=np.uint8)
    return encoded(Image.fromarray(pixels).convert(mode), kind)


def bomb() -> bytes:
    """A PNG header claiming 30000 x 30000 pixels: what a decompression bomb sends (no pixel data needed)."""
    png = encoded(Image.new("L", (16, 16)))
    chunk = b"IHDR" + struct.pack(">II", 30000, 30000) + png[24:29]  # the IHDR chunk with a new width and height
    return png[:12] + chunk + struct.pack(">I", zlib.crc32(chunk)) + png[33:]


@pytest.mark.parametrize(
    ("data", "mode"),
    [(photo(), "RGB"), (photo(640, 480, "L", "JPEG"), "L"), (photo(50, 90, "RGBA"), "RGBA"), (photo(mode="P"), "P")],
)
def test_any_photo_becomes_a_normalised_rgb_tensor_of_the_model_size(data, mode):
    checked = images.check_image(data)
    assert checked.color_mode == mode
    pixels = images.pixel_values(checked.image, 32)
    assert pixels.shape == (3, 32, 32)
    assert pixels.dtype == np.float32


def test_normalisation_uses_the_imagenet_statistics_pretrained_resnets_expect():
    white = images.pixel_values(Image.new("RGB", (20, 20), (255, 255, 255)), 16)
    assert np.allclose(white[:, 0, 0], (1 - images.MEAN) / images.STD)


def test_base64_and_data_urls_decode_to_the_same_image():
    data = photo(40, 40)
    text = base64.b64encode(data).decode()
    assert images.decode_base64(text) == data
    assert images.decode_base64("data:image/png;base64," + text) == data


def test_resized_png_base64_round_trips():
    image = images.check_image(photo(100, 60)).image
    back = images.check_base64(images.to_png_base64(images.resize(image, 32)))
    assert back.image.size == (32, 32)
    assert back.format == "PNG"


@pytest.mark.parametrize(
    ("data", "rule", "words"),
    [
        (b"", "empty", "is empty"),
        (b"hello, not an image", "not an image", "cannot be decoded"),
        (photo()[:300], "corrupt", "is corrupt"),
        (photo(kind="GIF"), "format not accepted", "is a GIF image"),
        (photo(8, 40), "too small", "8x40 pixels: each side must be at least 16"),
        (encoded(Image.new("L", (5000, 20))), "too big", "each side must be at most 4096"),
        (bomb(), "too big", "more pixels than allowed"),
    ],
)
def test_unusable_images_break_a_named_rule(data, rule, words):
    with pytest.raises(images.ImageError, match=words) as caught:
        images.check_image(data)
    assert caught.value.rule == rule


@pytest.mark.parametrize(
    ("value", "rule"), [(None, "not a string"), (42, "not a string"), ("   ", "empty"), ("not base64!", "not base64")]
)
def test_bad_base64_values_break_a_named_rule(value, rule):
    with pytest.raises(images.ImageError) as caught:
        images.check_base64(value)
    assert caught.value.rule == rule


def test_the_standalone_model_file_preprocesses_as_training_does():
    # pyfunc_model.py repeats the preprocessing so that the MLflow model needs no import of this package.
    path = images.__file__.replace("images.py", "pyfunc_model.py")
    spec = importlib.util.spec_from_file_location("standalone_pyfunc_model", path)
    standalone = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(standalone)
    for width, height, mode in ((300, 200, "RGB"), (32, 32, "L"), (64, 90, "RGBA")):
        image = Image.open(io.BytesIO(photo(width, height, mode)))
        expected = images.pixel_values(image, 32)
        got = standalone.pixel_values(image, 32, images.MEAN, images.STD)
        assert np.array_equal(expected, got)
