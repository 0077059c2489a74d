"""The demo plant: its data, its curve shapes and the live feed that keeps it moving."""
