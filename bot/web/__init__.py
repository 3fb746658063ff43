"""The web app on port 8080: the provider demo page with the chat widget, /healthz, the staff inbox."""
