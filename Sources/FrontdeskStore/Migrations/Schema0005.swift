/// The back office (issue 17): recurring series that keep the timetable materialised ahead, closures
/// that keep dates free, single actions in the audit log with the member they concern, and when each
/// display was last seen.
enum Schema0005 {
    static let statements: [String] = [
        // A weekly timetable entry. Its classes are rows of class_sessions with its id and their local
        // date; `generated_through` is the last local date the generator has made classes up to.
        """
        CREATE TABLE class_series (
            id TEXT PRIMARY KEY,
            organization_id TEXT NOT NULL REFERENCES organizations(id),
            class_type_id TEXT NOT NULL REFERENCES class_types(id),
            location_id TEXT REFERENCES locations(id),
            coach_membership_id TEXT REFERENCES memberships(id),
            capacity INTEGER NOT NULL CHECK (capacity >= 1),
            duration_min INTEGER NOT NULL CHECK (duration_min BETWEEN 1 AND 1440),
            weekdays TEXT NOT NULL,
            start_time TEXT NOT NULL,
            first_date TEXT NOT NULL,
            last_date TEXT,
            publish BOOLEAN NOT NULL DEFAULT FALSE,
            generated_through TEXT,
            split_from_series_id TEXT REFERENCES class_series(id),
            created_by_membership_id TEXT REFERENCES memberships(id),
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            deleted_at BIGINT
        )
        """,
        "CREATE INDEX class_series_org ON class_series (organization_id)",
        "ALTER TABLE class_sessions ADD COLUMN series_id TEXT REFERENCES class_series(id)",
        "ALTER TABLE class_sessions ADD COLUMN series_date TEXT",
        // Edited on its own ("this class only"): the class keeps its place in the series, so the date is
        // never generated again, but series edits leave it alone.
        "ALTER TABLE class_sessions ADD COLUMN series_detached BOOLEAN NOT NULL DEFAULT FALSE",
        // The same class is never made twice, whichever instance generates it.
        "CREATE UNIQUE INDEX class_sessions_series_date ON class_sessions (series_id, series_date)",
        """
        CREATE TABLE closures (
            id TEXT PRIMARY KEY,
            organization_id TEXT NOT NULL REFERENCES organizations(id),
            location_id TEXT REFERENCES locations(id),
            first_date TEXT NOT NULL,
            last_date TEXT NOT NULL,
            reason TEXT,
            created_by_membership_id TEXT REFERENCES memberships(id),
            created_at BIGINT NOT NULL,
            deleted_at BIGINT,
            CHECK (first_date <= last_date)
        )
        """,
        "CREATE INDEX closures_org ON closures (organization_id, last_date)",
        // The member a single action concerns (a booking's member, a credit adjustment's, an invitee's).
        "ALTER TABLE audit_logs ADD COLUMN subject_membership_id TEXT",
        "CREATE INDEX audit_logs_entity ON audit_logs (organization_id, entity_type, entity_id)",
        "CREATE INDEX audit_logs_subject ON audit_logs (organization_id, subject_membership_id)",
        // When a display last fetched its state or held its event stream (online/offline on the admin page).
        "ALTER TABLE displays ADD COLUMN last_seen_at BIGINT",
    ]
}
