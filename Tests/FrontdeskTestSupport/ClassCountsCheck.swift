/// The classes whose kept counts (`places_taken`, `waitlist_length`, kept by the database's triggers)
/// differ from their bookings counted now: the query's `n` must be 0 after anything.
public enum ClassCountsCheck {
    public static let miscounted = """
        SELECT COUNT(*) AS n FROM class_sessions s
        WHERE s.places_taken <> (SELECT COUNT(*) FROM bookings b WHERE b.session_id = s.id AND b.status IN ('confirmed', 'attended'))
           OR s.waitlist_length <> (SELECT COUNT(*) FROM bookings b WHERE b.session_id = s.id AND b.status = 'waitlisted')
        """
}
