"""The curve explorer: its state, the in-memory population, density, golden curves."""
