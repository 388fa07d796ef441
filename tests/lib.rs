//! End-to-end tests of axis live in `tests/e2e/`: the production server on a real PostgreSQL.
