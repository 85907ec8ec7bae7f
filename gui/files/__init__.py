"""Files from the window: sessions, exports and recorded animations."""
