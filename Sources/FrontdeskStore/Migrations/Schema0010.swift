/// A class's places taken and waitlist length kept on its row (issue 18): the schedule shows both for
/// every class of a week, and counting them from `bookings` cost a member's week read 2.6 ms on
/// PostgreSQL under the mix (a class of 3,000 booked members, check-ins keeping its index pages
/// unlike the visibility map). Triggers keep the two columns in the same transaction as every change
/// of `bookings`, whoever makes it (this binary, an older one during a rolling deploy, a hand-written
/// statement), so they always equal what counting would find in the same snapshot:
/// - `places_taken`: bookings `confirmed` or `attended` (staff overrides included);
/// - `waitlist_length`: bookings `waitlisted`.
/// A check-in (`confirmed` → `attended`) changes neither and writes nothing more.
enum Schema0010 {
    static let common: [String] = [
        "ALTER TABLE class_sessions ADD COLUMN places_taken INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE class_sessions ADD COLUMN waitlist_length INTEGER NOT NULL DEFAULT 0",
        """
        UPDATE class_sessions SET
            places_taken = (SELECT COUNT(*) FROM bookings b WHERE b.session_id = class_sessions.id AND b.status IN ('confirmed', 'attended')),
            waitlist_length = (SELECT COUNT(*) FROM bookings b WHERE b.session_id = class_sessions.id AND b.status = 'waitlisted')
        """,
    ]

    /// PostgreSQL: one trigger per statement, so a batch of bookings moves each class's counts once.
    static let postgres: [String] = [
        """
        CREATE FUNCTION frontdesk_move_class_counts(class_id TEXT, taken BIGINT, waiting BIGINT) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            IF taken <> 0 OR waiting <> 0 THEN
                UPDATE class_sessions SET places_taken = places_taken + taken, waitlist_length = waitlist_length + waiting
                WHERE id = class_id;
            END IF;
        END
        $$
        """,
        """
        CREATE FUNCTION frontdesk_class_counts() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            moved RECORD;
        BEGIN
            -- Each class by its key (an index look-up, so a SERIALIZABLE writer takes no wider predicate
            -- lock), and only a class whose counts move: a check-in batch writes nothing here. (A branch
            -- is planned only when taken: an INSERT has no old_rows, a DELETE no new_rows.)
            IF TG_OP = 'INSERT' THEN
                FOR moved IN
                    SELECT session_id, COUNT(*) FILTER (WHERE status IN ('confirmed', 'attended')) AS taken,
                        COUNT(*) FILTER (WHERE status = 'waitlisted') AS waiting
                    FROM new_rows GROUP BY session_id
                LOOP
                    PERFORM frontdesk_move_class_counts(moved.session_id, moved.taken, moved.waiting);
                END LOOP;
            ELSIF TG_OP = 'DELETE' THEN
                FOR moved IN
                    SELECT session_id, -COUNT(*) FILTER (WHERE status IN ('confirmed', 'attended')) AS taken,
                        -COUNT(*) FILTER (WHERE status = 'waitlisted') AS waiting
                    FROM old_rows GROUP BY session_id
                LOOP
                    PERFORM frontdesk_move_class_counts(moved.session_id, moved.taken, moved.waiting);
                END LOOP;
            ELSE
                FOR moved IN
                    SELECT session_id, SUM(taken) AS taken, SUM(waiting) AS waiting FROM (
                        SELECT session_id, (status IN ('confirmed', 'attended'))::int AS taken, (status = 'waitlisted')::int AS waiting
                        FROM new_rows
                        UNION ALL
                        SELECT session_id, -(status IN ('confirmed', 'attended'))::int, -(status = 'waitlisted')::int FROM old_rows
                    ) changed GROUP BY session_id
                LOOP
                    PERFORM frontdesk_move_class_counts(moved.session_id, moved.taken, moved.waiting);
                END LOOP;
            END IF;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER bookings_class_counts_insert AFTER INSERT ON bookings REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION frontdesk_class_counts()
        """,
        """
        CREATE TRIGGER bookings_class_counts_update AFTER UPDATE ON bookings REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION frontdesk_class_counts()
        """,
        """
        CREATE TRIGGER bookings_class_counts_delete AFTER DELETE ON bookings REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION frontdesk_class_counts()
        """,
    ]

    /// SQLite: row triggers, each only when a booking moves in or out of what is counted.
    static let sqlite: [String] = [
        """
        CREATE TRIGGER bookings_class_counts_insert AFTER INSERT ON bookings
        WHEN NEW.status IN ('confirmed', 'attended', 'waitlisted')
        BEGIN
            UPDATE class_sessions SET places_taken = places_taken + (NEW.status IN ('confirmed', 'attended')),
                waitlist_length = waitlist_length + (NEW.status = 'waitlisted')
            WHERE id = NEW.session_id;
        END
        """,
        """
        CREATE TRIGGER bookings_class_counts_update AFTER UPDATE OF status, session_id ON bookings
        WHEN OLD.session_id IS NOT NEW.session_id
            OR (OLD.status IN ('confirmed', 'attended')) IS NOT (NEW.status IN ('confirmed', 'attended'))
            OR (OLD.status = 'waitlisted') IS NOT (NEW.status = 'waitlisted')
        BEGIN
            UPDATE class_sessions SET places_taken = places_taken - (OLD.status IN ('confirmed', 'attended')),
                waitlist_length = waitlist_length - (OLD.status = 'waitlisted')
            WHERE id = OLD.session_id;
            UPDATE class_sessions SET places_taken = places_taken + (NEW.status IN ('confirmed', 'attended')),
                waitlist_length = waitlist_length + (NEW.status = 'waitlisted')
            WHERE id = NEW.session_id;
        END
        """,
        """
        CREATE TRIGGER bookings_class_counts_delete AFTER DELETE ON bookings
        WHEN OLD.status IN ('confirmed', 'attended', 'waitlisted')
        BEGIN
            UPDATE class_sessions SET places_taken = places_taken - (OLD.status IN ('confirmed', 'attended')),
                waitlist_length = waitlist_length - (OLD.status = 'waitlisted')
            WHERE id = OLD.session_id;
        END
        """,
    ]
}
