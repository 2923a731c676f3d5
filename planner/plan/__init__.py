"""Day plans: from triaged visits and the roster to a checked, stored plan document."""
