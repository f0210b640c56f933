/// The initial schema: every entity of SPEC §1.
///
/// Written once for both engines: ids are lowercase UUID text, instants are BIGINT Unix seconds
/// (UTC; all calendar maths happens in Swift in the org's zone), booleans are BOOLEAN, JSON is TEXT.
/// Foreign keys everywhere, and the partial unique index that allows one active booking per
/// session × membership whatever the code does.
enum Schema0001 {
    static let statements: [String] = [
        """
        CREATE TABLE organizations (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            timezone TEXT NOT NULL,
            cancellation_window_hours INTEGER NOT NULL DEFAULT 12,
            allow_late_cancellation BOOLEAN NOT NULL DEFAULT FALSE,
            payment_provider TEXT,
            latitude DOUBLE PRECISION,
            longitude DOUBLE PRECISION,
            primary_color TEXT NOT NULL DEFAULT '#3b5bdb',
            checkin_opens_minutes_before INTEGER NOT NULL DEFAULT 30,
            checkin_grace_seconds INTEGER NOT NULL DEFAULT 10,
            gps_max_meters INTEGER NOT NULL DEFAULT 150,
            gps_max_accuracy_meters INTEGER NOT NULL DEFAULT 100,
            no_show_grace_minutes INTEGER NOT NULL DEFAULT 30,
            booking_opens_days_before INTEGER,
            waitlist_cutoff_minutes INTEGER NOT NULL DEFAULT 0,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE users (
            id TEXT PRIMARY KEY,
            email TEXT NOT NULL,
            email_normalized TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE memberships (
            id TEXT PRIMARY KEY,
            organization_id TEXT NOT NULL REFERENCES organizations(id),
            user_id TEXT NOT NULL REFERENCES users(id),
            role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'coach', 'member')),
            status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            UNIQUE (organization_id, user_id)
        )
        """,
        "CREATE INDEX memberships_user ON memberships (user_id)",
        """
        CREATE TABLE programs (
            id TEXT PRIMARY KEY,
            organization_id TEXT NOT NULL REFERENCES organizations(id),
            name TEXT NOT NULL,
            delivery_mode TEXT NOT NULL CHECK (delivery_mode IN ('schedule', 'feed', 'coaching', 'course')),
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            deleted_at BIGINT
        )
        """,
        "CREATE INDEX programs_org ON programs (organization_id)",
        """
        CREATE TABLE class_types (
            id TEXT PRIMARY KEY,
            organization_id TEXT NOT NULL REFERENCES organizations(id),
            program_id TEXT NOT NULL REFERENCES programs(id),
            name TEXT NOT NULL,
            description TEXT,
            default_capacity INTEGER NOT NULL CHECK (default_capacity >= 1),
            default_duration_min INTEGER NOT NULL CHECK (default_duration_min BETWEEN 1 AND 1440),
            color TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            deleted_at BIGINT
        )
        """,
        "CREATE INDEX class_types_org ON class_types (organization_id)",
        "CREATE INDEX class_types_program ON class_types (program_id)",
        """
        CREATE TABLE locations (
            id TEXT PRIMARY KEY,
            organization_id TEXT NOT NULL REFERENCES organizations(id),
            name TEXT NOT NULL,
            address TEXT,
            latitude DOUBLE PRECISION,
            longitude DOUBLE PRECISION,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            deleted_at BIGINT
        )
        """,
        "CREATE INDEX locations_org ON locations (organization_id)",
        """
        CREATE TABLE class_sessions (
            id TEXT PRIMARY KEY,
            organization_id TEXT NOT NULL REFERENCES organizations(id),
            class_type_id TEXT NOT NULL REFERENCES class_types(id),
            location_id TEXT REFERENCES locations(id),
            coach_membership_id TEXT REFERENCES memberships(id),
            starts_at BIGINT NOT NULL,
            duration_min INTEGER NOT NULL CHECK (duration_min BETWEEN 1 AND 1440),
            ends_at BIGINT NOT NULL,
            capacity INTEGER NOT NULL CHECK (capacity >= 1),
            status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'cancelled')),
            cancel_reason TEXT,
            created_by_membership_id TEXT REFERENCES memberships(id),
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            deleted_at BIGINT
        )
        """,
        "CREATE INDEX class_sessions_org_start ON class_sessions (organization_id, starts_at)",
        "CREATE INDEX class_sessions_location_start ON class_sessions (location_id, starts_at)",
        "CREATE INDEX class_sessions_class_type ON class_sessions (class_type_id)",
        "CREATE INDEX class_sessions_coach ON class_sessions (coach_membership_id)",
        """
        CREATE TABLE plans (
            id TEXT PRIMARY KEY,
            organization_id TEXT NOT NULL REFERENCES organizations(id),
            name TEXT NOT NULL,
            class_credits INTEGER CHECK (class_credits IS NULL OR class_credits >= 0),
            max_bookings_per_day INTEGER CHECK (max_bookings_per_day IS NULL OR max_bookings_per_day >= 1),
            max_bookings_per_week INTEGER CHECK (max_bookings_per_week IS NULL OR max_bookings_per_week >= 1),
            allow_overlapping_bookings BOOLEAN NOT NULL DEFAULT FALSE,
            price_cents INTEGER,
            active BOOLEAN NOT NULL DEFAULT TRUE,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX plans_org ON plans (organization_id)",
        """
        CREATE TABLE subscriptions (
            id TEXT PRIMARY KEY,
            organization_id TEXT NOT NULL REFERENCES organizations(id),
            membership_id TEXT NOT NULL REFERENCES memberships(id),
            plan_id TEXT NOT NULL REFERENCES plans(id),
            status TEXT NOT NULL CHECK (status IN ('active', 'cancelled', 'past_due')),
            credits_granted INTEGER,
            credits_remaining INTEGER CHECK (credits_remaining IS NULL OR credits_remaining >= 0),
            starts_at BIGINT NOT NULL,
            ends_at BIGINT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX subscriptions_membership ON subscriptions (membership_id, status)",
        """
        CREATE TABLE bookings (
            id TEXT PRIMARY KEY,
            organization_id TEXT NOT NULL REFERENCES organizations(id),
            session_id TEXT NOT NULL REFERENCES class_sessions(id),
            membership_id TEXT NOT NULL REFERENCES memberships(id),
            subscription_id TEXT REFERENCES subscriptions(id),
            status TEXT NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'attended', 'no_show', 'cancelled')),
            waitlist_position INTEGER,
            credit_charged BOOLEAN NOT NULL DEFAULT FALSE,
            checked_in_at BIGINT,
            checkin_method TEXT CHECK (checkin_method IS NULL OR checkin_method IN ('manual', 'qr', 'gps')),
            checked_in_by_membership_id TEXT REFERENCES memberships(id),
            late_cancel BOOLEAN NOT NULL DEFAULT FALSE,
            cancelled_at BIGINT,
            cancelled_by_membership_id TEXT REFERENCES memberships(id),
            booked_by_membership_id TEXT REFERENCES memberships(id),
            capacity_override BOOLEAN NOT NULL DEFAULT FALSE,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        """
        CREATE UNIQUE INDEX bookings_one_active ON bookings (session_id, membership_id)
            WHERE status IN ('confirmed', 'waitlisted', 'attended')
        """,
        "CREATE INDEX bookings_session_status ON bookings (session_id, status, waitlist_position)",
        "CREATE INDEX bookings_membership ON bookings (membership_id, status)",
        "CREATE INDEX bookings_org_created ON bookings (organization_id, created_at)",
        """
        CREATE TABLE credit_ledger (
            id TEXT PRIMARY KEY,
            organization_id TEXT NOT NULL REFERENCES organizations(id),
            subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
            booking_id TEXT REFERENCES bookings(id),
            kind TEXT NOT NULL CHECK (kind IN ('charge', 'refund', 'adjustment')),
            amount INTEGER NOT NULL,
            reason TEXT,
            actor_membership_id TEXT REFERENCES memberships(id),
            created_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX credit_ledger_subscription ON credit_ledger (subscription_id, created_at)",
        "CREATE INDEX credit_ledger_booking ON credit_ledger (booking_id)",
        """
        CREATE TABLE workouts (
            id TEXT PRIMARY KEY,
            organization_id TEXT NOT NULL REFERENCES organizations(id),
            title TEXT NOT NULL,
            body TEXT NOT NULL DEFAULT '',
            created_by_membership_id TEXT REFERENCES memberships(id),
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            deleted_at BIGINT
        )
        """,
        "CREATE INDEX workouts_org ON workouts (organization_id)",
        """
        CREATE TABLE session_workouts (
            session_id TEXT NOT NULL REFERENCES class_sessions(id),
            workout_id TEXT NOT NULL REFERENCES workouts(id),
            position INTEGER NOT NULL,
            PRIMARY KEY (session_id, position)
        )
        """,
        "CREATE INDEX session_workouts_workout ON session_workouts (workout_id)",
        """
        CREATE TABLE daily_programming (
            id TEXT PRIMARY KEY,
            organization_id TEXT NOT NULL REFERENCES organizations(id),
            program_id TEXT REFERENCES programs(id),
            local_date TEXT NOT NULL,
            workout_id TEXT NOT NULL REFERENCES workouts(id),
            position INTEGER NOT NULL,
            created_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX daily_programming_org_date ON daily_programming (organization_id, local_date)",
        """
        CREATE TABLE audit_logs (
            id TEXT PRIMARY KEY,
            organization_id TEXT NOT NULL REFERENCES organizations(id),
            actor_user_id TEXT REFERENCES users(id),
            actor_membership_id TEXT REFERENCES memberships(id),
            action TEXT NOT NULL,
            batch_id TEXT,
            entity_type TEXT,
            entity_id TEXT,
            payload TEXT NOT NULL DEFAULT '{}',
            created_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX audit_logs_org_created ON audit_logs (organization_id, created_at)",
        "CREATE INDEX audit_logs_batch ON audit_logs (batch_id)",
        """
        CREATE TABLE displays (
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
        "CREATE INDEX displays_org ON displays (organization_id)",
        """
        CREATE TABLE signing_keys (
            key_id TEXT PRIMARY KEY,
            secret TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            retired_at BIGINT
        )
        """,
        """
        CREATE TABLE notification_outbox (
            id TEXT PRIMARY KEY,
            organization_id TEXT REFERENCES organizations(id),
            user_id TEXT NOT NULL REFERENCES users(id),
            channel TEXT NOT NULL CHECK (channel IN ('email', 'push')),
            template TEXT NOT NULL,
            payload TEXT NOT NULL DEFAULT '{}',
            dedupe_key TEXT NOT NULL UNIQUE,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dead')),
            attempts INTEGER NOT NULL DEFAULT 0,
            available_at BIGINT NOT NULL,
            locked_until BIGINT,
            locked_by TEXT,
            last_error TEXT,
            sent_at BIGINT,
            created_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX notification_outbox_due ON notification_outbox (status, available_at)",
        """
        CREATE TABLE notification_preferences (
            user_id TEXT NOT NULL REFERENCES users(id),
            channel TEXT NOT NULL CHECK (channel IN ('email', 'push')),
            category TEXT NOT NULL,
            enabled BOOLEAN NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (user_id, channel, category)
        )
        """,
        """
        CREATE TABLE push_tokens (
            id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES users(id),
            token TEXT NOT NULL UNIQUE,
            platform TEXT,
            created_at BIGINT NOT NULL,
            last_seen_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX push_tokens_user ON push_tokens (user_id)",
        """
        CREATE TABLE auth_sessions (
            id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES users(id),
            token_hash TEXT NOT NULL UNIQUE,
            created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            last_used_at BIGINT NOT NULL,
            user_agent TEXT,
            client_address TEXT
        )
        """,
        "CREATE INDEX auth_sessions_user ON auth_sessions (user_id)",
        "CREATE INDEX auth_sessions_expires ON auth_sessions (expires_at)",
        """
        CREATE TABLE idempotency_keys (
            user_id TEXT NOT NULL REFERENCES users(id),
            idempotency_key TEXT NOT NULL,
            scope TEXT NOT NULL,
            response_status INTEGER NOT NULL,
            response_body TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            PRIMARY KEY (user_id, idempotency_key)
        )
        """,
        """
        CREATE TABLE rate_limit_buckets (
            bucket_key TEXT NOT NULL,
            window_start BIGINT NOT NULL,
            hits INTEGER NOT NULL,
            PRIMARY KEY (bucket_key, window_start)
        )
        """,
    ]
}
