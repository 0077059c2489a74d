"""The density PNG: every touched pixel stays visible, groups keep their colours, the PNG
is valid and the same images give the same (kept) data URL."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from components.explorer_image import DataUrls, composite, layout_image, png


def _images() -> list[np.ndarray]:
    ok = np.zeros((4, 6), dtype=np.float32)
    ok[0, :] = 1000.0          # a dense band along the bottom row
    ok[3, 5] = 0.001           # one faint touch, a million times lighter
    nok = np.zeros((4, 6), dtype=np.float32)
    nok[2, 2] = 0.5
    return [ok, nok]


def test_a_faint_pixel_stays_visible_and_rows_are_flipped() -> None:
    rgba = composite(_images(), ["#2f6fb0", "#c62828"])
    assert rgba.shape == (4, 6, 4) and rgba.dtype == np.uint8
    assert rgba[3, 0, 3] >= 240              # bottom data row is the last image row
    assert 64 <= rgba[0, 5, 3] < 128          # the faint touch: visible, light
    assert tuple(rgba[1, 2, :3]) == (0xC0, 0x28, 0x28)  # NOK colour, 32 levels
    assert rgba[1, 1, 3] == 0                 # untouched: transparent


def test_png_decodes_to_the_same_pixels_and_urls_are_kept() -> None:
    rgba = composite(_images(), ["#2f6fb0", "#c62828"])
    decoded = np.asarray(Image.open(io.BytesIO(png(rgba))).convert("RGBA"))
    assert np.array_equal(decoded, rgba)
    urls = DataUrls()
    first = layout_image(_images(), ["#2f6fb0", "#c62828"], x_range=(0, 1), y_range=(0, 1),
                         urls=urls)
    again = layout_image(_images(), ["#2f6fb0", "#c62828"], x_range=(0, 1), y_range=(0, 1),
                         urls=urls)
    assert first["source"] is again["source"]
    data = base64.b64decode(first["source"].split(",", 1)[1])
    assert data.startswith(b"\x89PNG")
