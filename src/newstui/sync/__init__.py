"""Sync with the servers people already run (Tiny Tiny RSS, the Google Reader API): no Textual here."""
