"""Cases: every selected customer from selection to closure and callback, as an event log."""
