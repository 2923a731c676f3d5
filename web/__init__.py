"""The Flask web app for dispatchers, field staff and planners."""
