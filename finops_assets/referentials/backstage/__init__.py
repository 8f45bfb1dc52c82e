"""The Backstage catalog sync: applications and groups read over the catalog REST API."""
