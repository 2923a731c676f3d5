"""One blueprint per role: auth (sign-in, health), dispatcher, field, planner, admin, and the JSON API."""
