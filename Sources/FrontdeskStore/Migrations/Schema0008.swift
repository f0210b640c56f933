/// The door kiosk (issue 19): kiosks signed like displays, and each person's kiosk PIN with the
/// count of wrong PINs that locks it.
enum Schema0008 {
    static let statements: [String] = [
        """
        CREATE TABLE kiosks (
            id TEXT PRIMARY KEY,
            organization_id TEXT NOT NULL REFERENCES organizations(id),
            location_id TEXT NOT NULL REFERENCES locations(id),
            name TEXT NOT NULL,
            key_version INTEGER NOT NULL DEFAULT 1,
            revoked_at BIGINT,
            created_by_membership_id TEXT REFERENCES memberships(id),
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX kiosks_org ON kiosks (organization_id)",
        // One PIN per person (bcrypt), used at the kiosks of every studio they belong to; wrong PINs
        // are counted per person, so guessing at two studios' doors shares one budget.
        """
        CREATE TABLE kiosk_pins (
            user_id TEXT PRIMARY KEY REFERENCES users(id),
            pin_hash TEXT NOT NULL,
            failed_attempts INTEGER NOT NULL DEFAULT 0,
            last_failed_at BIGINT,
            locked_until BIGINT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
    ]
}
