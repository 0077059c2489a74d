"""Projects' callbacks: the list and overview, and the shared "Save to project"
modal."""
