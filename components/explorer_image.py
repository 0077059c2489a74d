"""The density images as one transparent PNG (a plotly layout image under the lines).

Encoding is pure; the last few data URLs are kept in a :class:`DataUrls` that the caller
owns (the callbacks pass their runtime's, ``runtime.caches.of(DataUrls)``).
"""

from __future__ import annotations

import base64
import struct
import threading
import zlib
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from services.explorer.density_kernel import compose


def _rgb(hex_color: str) -> np.ndarray:
    return np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.float32)


def composite(images: Sequence[np.ndarray], colors: Sequence[str]) -> np.ndarray:
    """RGBA (uint8, top row = highest y) of the groups drawn over each other in order:
    opacity 0 where a group is empty, 0.25…1 on a log scale of the weight otherwise (any
    touched pixel stays visible, so one curve's extreme is never lost)."""
    stack = np.ascontiguousarray(np.stack(images), dtype=np.float32)
    return compose(stack, np.stack([_rgb(c) for c in colors]).astype(np.float32))


def png(rgba: np.ndarray) -> bytes:
    """A minimal PNG encoder (RGBA, 8 bit, no filter, zlib level 1)."""
    height, width, _ = rgba.shape
    raw = np.hstack([np.zeros((height, 1), dtype=np.uint8), rgba.reshape(height, -1)])

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw.tobytes(), 1)) + chunk(b"IEND", b""))


class DataUrls:
    """The PNG data URLs of the last ``KEPT`` composed images, by content (a redrawn view
    is not encoded again)."""

    KEPT = 8

    def __init__(self) -> None:
        self._urls: OrderedDict[tuple[Any, ...], str] = OrderedDict()
        self._lock = threading.Lock()

    def url(self, images: Sequence[np.ndarray], colors: Sequence[str]) -> str:
        """The PNG data URL of the composed images (kept, by content)."""
        key = (tuple(hash(i.tobytes()) for i in images), tuple(i.shape for i in images),
               tuple(colors))
        with self._lock:
            hit = self._urls.get(key)
        if hit is not None:
            return hit
        url = "data:image/png;base64," + base64.b64encode(png(composite(images, colors))).decode()
        with self._lock:
            self._urls[key] = url
            while len(self._urls) > self.KEPT:
                self._urls.popitem(last=False)
        return url

    def clear(self) -> None:
        """Forget every kept URL."""
        with self._lock:
            self._urls.clear()


def layout_image(images: Sequence[np.ndarray], colors: Sequence[str], *,
                 x_range: tuple[float, float], y_range: tuple[float, float],
                 urls: DataUrls) -> dict[str, Any]:
    """A plotly layout image stretched over the view (below the traces)."""
    if not images:
        return {"source": "", "visible": False}
    return {"source": urls.url(images, colors), "xref": "x", "yref": "y",
            "x": x_range[0], "y": y_range[1], "sizex": x_range[1] - x_range[0],
            "sizey": y_range[1] - y_range[0], "sizing": "stretch", "layer": "below",
            "xanchor": "left", "yanchor": "top", "name": "density"}
