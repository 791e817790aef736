"""The staff API (mounted under /admin/api): accounts and roles, Q&A curation with versions, audit."""
