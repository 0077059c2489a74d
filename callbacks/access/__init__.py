"""Who may do what: the team, API tokens and audit log pages' callbacks."""
