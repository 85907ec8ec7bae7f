"""Files from the window: sessions and exports."""
