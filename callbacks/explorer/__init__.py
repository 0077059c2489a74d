"""The curve explorer's callbacks: the chart and its zoom, tools, drag, new data,
export, and the traceability page."""
