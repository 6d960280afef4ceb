"""One adapter per network behind the Publisher protocol, plus the local outbox."""
