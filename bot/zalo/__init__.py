"""Zalo Official Account channel: signed webhooks in, OA OpenAPI messages out."""
