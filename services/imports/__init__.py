"""Data imports: file format and row checks, uploads, curve ids and the import job."""
