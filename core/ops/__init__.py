"""Operations: structured logs, Prometheus metrics, readiness, clean failure when a
dependency is down. Nothing here changes data; everything here is read by operators."""
