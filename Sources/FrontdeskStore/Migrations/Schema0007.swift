/// Calendar feeds (issue 19): a person's secret feed URLs, and the versions of the events they carry.
enum Schema0007 {
    static let statements: [String] = [
        // One feed per person and scope: `bookings` (the user's bookings in every studio) or
        // `teaching:<membership id>` (the classes a staff membership teaches). Only the SHA-256 of
        // the secret is kept; making a new secret replaces it, so the old URL stops working at once.
        """
        CREATE TABLE calendar_feeds (
            id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES users(id),
            kind TEXT NOT NULL CHECK (kind IN ('bookings', 'teaching')),
            membership_id TEXT REFERENCES memberships(id),
            scope_key TEXT NOT NULL,
            secret_hash TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            rotated_at BIGINT NOT NULL,
            CHECK ((kind = 'bookings') = (membership_id IS NULL))
        )
        """,
        "CREATE UNIQUE INDEX calendar_feeds_scope ON calendar_feeds (user_id, scope_key)",
        // What a calendar last saw of each event (by UID): a fingerprint of every shown field and the
        // SEQUENCE, raised by one whenever the fingerprint changes.
        """
        CREATE TABLE calendar_event_versions (
            uid TEXT PRIMARY KEY,
            fingerprint TEXT NOT NULL,
            sequence INTEGER NOT NULL CHECK (sequence >= 0),
            changed_at BIGINT NOT NULL
        )
        """,
    ]
}
