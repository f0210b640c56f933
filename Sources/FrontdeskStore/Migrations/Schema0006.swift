/// Issue 19's public schedule: whether a studio shows its timetable to strangers, and the websites
/// allowed to frame its schedule widget. One row per studio that changed the defaults (none: not public).
enum Schema0006 {
    static let statements: [String] = [
        """
        CREATE TABLE public_schedules (
            organization_id TEXT PRIMARY KEY REFERENCES organizations(id),
            enabled BOOLEAN NOT NULL DEFAULT FALSE,
            embed_origins TEXT NOT NULL DEFAULT '',
            updated_at BIGINT NOT NULL
        )
        """
    ]
}
