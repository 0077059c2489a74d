"""What an app process does when it starts: first-start set-up and background work."""
