"""People and their access: accounts, sign-in, teams, invitations, resets, SSO, tokens."""
