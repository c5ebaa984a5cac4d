"""Orders mirrored from Starshipit: the event rules of headless mode and the status history."""
