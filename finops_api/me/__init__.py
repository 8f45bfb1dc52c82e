"""GET /api/v1/me: who the API takes the caller for, and what it may do."""
