"""The data import page's callbacks."""
