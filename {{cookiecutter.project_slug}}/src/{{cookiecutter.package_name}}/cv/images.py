"""Reading, checking and preprocessing images: one module for prep, training, the MLflow model and serving.

Every path an image takes to the network goes through ``pixel_values``, so training and serving
cannot disagree on colour mode, size or normalisation. PIL and numpy only: torchvision is not
needed (and does not install beside the CPU build of torch that CI uses).
"""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, UnidentifiedImageError

ACCEPTED_FORMATS = ("PNG", "JPEG")
FILE_SUFFIXES = (".png", ".jpg", ".jpeg")
# Smaller than this holds too little to classify; larger than this is a mistake or an attack
# (a decompression bomb can be a few kB on the wire).
MIN_SIDE = 16
MAX_SIDE = 4096
MAX_MEGABYTES = 10
# ImageNet statistics: what the pretrained ResNet weights expect; harmless for a model trained from scratch.
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


class ImageError(ValueError):
    """An input that is not a usable image: ``rule`` names the rule it broke, the message gives the details."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


@dataclass(frozen=True)
class CheckedImage:
    image: Image.Image  # RGB, fully decoded
    format: str  # as the file declared it: PNG or JPEG
    color_mode: str  # before conversion to RGB: RGB, RGBA, L, P, CMYK ...
    size_bytes: int


def decode_base64(text: object) -> bytes:
    if not isinstance(text, str):
        raise ImageError("not a string", f"must be a base64 string, got {type(text).__name__}")
    if not text.strip():
        raise ImageError("empty", "is empty")
    # Data URLs ("data:image/png;base64,....") are what browsers produce: accept them.
    payload = text.split(",", 1)[1] if text.startswith("data:") else text
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise ImageError("not base64", "is not valid base64") from None


def check_image(data: bytes) -> CheckedImage:
    """Decode ``data`` if it follows the rules: PNG or JPEG, not empty, at most MAX_MEGABYTES, sides in range."""
    if not data:
        raise ImageError("empty", "is empty")
    if len(data) > MAX_MEGABYTES * 2**20:
        raise ImageError("too large", f"is {len(data) / 2**20:.1f} MB: at most {MAX_MEGABYTES} MB allowed")
    try:
        # Image.open reads only the header: check format and size before decoding any pixels.
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:  # a header claiming billions of pixels: refused before decoding
        raise ImageError("too big", f"has more pixels than allowed (each side at most {MAX_SIDE})") from None
    except (UnidentifiedImageError, OSError):
        raise ImageError("not an image", "cannot be decoded (not a PNG or JPEG image)") from None
    if image.format not in ACCEPTED_FORMATS:
        raise ImageError("format not accepted", f"is a {image.format} image: PNG or JPEG expected")
    width, height = image.size
    if min(width, height) < MIN_SIDE:
        raise ImageError("too small", f"is {width}x{height} pixels: each side must be at least {MIN_SIDE}")
    if max(width, height) > MAX_SIDE:
        raise ImageError("too big", f"is {width}x{height} pixels: each side must be at most {MAX_SIDE}")
    try:
        image.load()
    except (OSError, ValueError) as error:  # truncated or corrupt pixel data
        raise ImageError("corrupt", f"is corrupt ({error})") from None
    return CheckedImage(image.convert("RGB"), image.format, image.mode, len(data))


def check_base64(text: object) -> CheckedImage:
    return check_image(decode_base64(text))


def resize(image: Image.Image, size: int) -> Image.Image:
    """A ``size`` x ``size`` RGB image. Photos of other shapes are squashed, not cropped: nothing is cut off."""
    image = image.convert("RGB")
    if image.size == (size, size):
        return image
    return image.resize((size, size), Image.Resampling.BILINEAR)


def to_png_base64(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def pixel_values(image: Image.Image, size: int) -> np.ndarray:
    """The network's input for one image: float32, channels first (3, size, size), normalised."""
    array = np.asarray(resize(image, size), dtype=np.float32) / 255.0
    return ((array - MEAN) / STD).transpose(2, 0, 1).copy()


def brightness_and_contrast(image: Image.Image) -> tuple[float, float]:
    """Mean and standard deviation of the grey levels (0-255): the data-quality signal of an image."""
    grey = np.asarray(image.convert("L"), dtype=np.float32)
    return float(grey.mean()), float(grey.std())
