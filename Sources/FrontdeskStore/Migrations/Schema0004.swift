/// Accounts people can trust: invitations instead of passwords chosen by others, single-use account
/// links (password reset, sign-in links, e-mail verification, sign-up), verified e-mail addresses,
/// studios whose mail is held until their owner is verified, and account e-mails to addresses that
/// have no user yet (the outbox's `user_id` becomes optional, with `recipient_email` beside it).
enum Schema0004 {
    static let statements: [String] = [
        // Users that existed before were created by an operator or a studio: their addresses count as known.
        "ALTER TABLE users ADD COLUMN email_verified_at BIGINT",
        "UPDATE users SET email_verified_at = created_at",
        // A studio created through the API by an unverified owner sends no mail until the owner verifies.
        "ALTER TABLE organizations ADD COLUMN mail_held BOOLEAN NOT NULL DEFAULT FALSE",
        // The public join page (sign-up of members), off unless the studio turns it on.
        "ALTER TABLE organizations ADD COLUMN self_signup BOOLEAN NOT NULL DEFAULT FALSE",
        """
        CREATE TABLE invitations (
            id TEXT PRIMARY KEY,
            organization_id TEXT NOT NULL REFERENCES organizations(id),
            email TEXT NOT NULL,
            email_normalized TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'coach', 'member')),
            token_hash TEXT NOT NULL UNIQUE,
            status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'revoked')),
            invited_by_membership_id TEXT REFERENCES memberships(id),
            membership_id TEXT REFERENCES memberships(id),
            sends INTEGER NOT NULL DEFAULT 1,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            accepted_at BIGINT
        )
        """,
        // One open invitation per studio and address, whatever the code does.
        "CREATE UNIQUE INDEX invitations_pending ON invitations (organization_id, email_normalized) WHERE status = 'pending'",
        """
        CREATE TABLE account_tokens (
            token_hash TEXT PRIMARY KEY,
            purpose TEXT NOT NULL CHECK (purpose IN ('password_reset', 'signin_link', 'verify_email', 'join')),
            user_id TEXT REFERENCES users(id),
            email_normalized TEXT NOT NULL,
            organization_id TEXT REFERENCES organizations(id),
            browser_hash TEXT,
            payload TEXT NOT NULL DEFAULT '{}',
            created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            used_at BIGINT
        )
        """,
        "CREATE INDEX account_tokens_expires ON account_tokens (expires_at)",
        // The outbox again, with an optional user and a recipient address for account e-mails.
        """
        CREATE TABLE notification_outbox_v4 (
            id TEXT PRIMARY KEY,
            organization_id TEXT REFERENCES organizations(id),
            user_id TEXT REFERENCES users(id),
            recipient_email TEXT,
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
            created_at BIGINT NOT NULL,
            CHECK (user_id IS NOT NULL OR recipient_email IS NOT NULL)
        )
        """,
        """
        INSERT INTO notification_outbox_v4 (id, organization_id, user_id, channel, template, payload, dedupe_key, status, attempts,
            available_at, locked_until, locked_by, last_error, sent_at, created_at)
        SELECT id, organization_id, user_id, channel, template, payload, dedupe_key, status, attempts,
            available_at, locked_until, locked_by, last_error, sent_at, created_at FROM notification_outbox
        """,
        "DROP TABLE notification_outbox",
        "ALTER TABLE notification_outbox_v4 RENAME TO notification_outbox",
        "CREATE INDEX notification_outbox_due ON notification_outbox (status, available_at)",
    ]
}
