-- Listing sessions newest first (the /sessions page pages through them by start time).
CREATE INDEX session_start ON session(starts_at);
