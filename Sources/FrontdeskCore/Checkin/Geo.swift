import Foundation

/// Great-circle distance and coordinate validation for GPS check-in.
public enum Geo {
    /// Mean Earth radius (IUGG), as SPEC §6 prescribes.
    public static let earthRadiusMeters = 6_371_008.8

    /// Haversine distance in metres.
    ///
    /// Haversine rather than the spherical law of cosines: it stays accurate for the few-metre
    /// distances that decide a check-in, where the arccos of a value near 1 loses most digits.
    public static func distanceMeters(latitude1: Double, longitude1: Double, latitude2: Double, longitude2: Double) -> Double {
        let phi1 = latitude1 * .pi / 180
        let phi2 = latitude2 * .pi / 180
        let deltaPhi = (latitude2 - latitude1) * .pi / 180
        let deltaLambda = (longitude2 - longitude1) * .pi / 180
        let sinHalfPhi = sin(deltaPhi / 2)
        let sinHalfLambda = sin(deltaLambda / 2)
        let a = sinHalfPhi * sinHalfPhi + cos(phi1) * cos(phi2) * sinHalfLambda * sinHalfLambda
        // Rounding can push `a` a hair past 1 near the antipodes; asin would then return NaN.
        let centralAngle = 2 * asin(min(1, sqrt(max(0, a))))
        return earthRadiusMeters * centralAngle
    }

    /// Validates device coordinates and reported accuracy; throws DomainError 400: code
    /// "invalid_coordinates" (non-finite or outside [-90,90]×[-180,180]) or "accuracy_too_low"
    /// (accuracy not finite, < 0, or > maxAccuracyMeters). Coordinates are checked first.
    public static func validate(latitude: Double, longitude: Double, accuracyMeters: Double, maxAccuracyMeters: Int) throws {
        // Range checks are written so that NaN (for which every comparison is false) fails them.
        guard latitude.isFinite, longitude.isFinite,
            (-90.0...90.0).contains(latitude), (-180.0...180.0).contains(longitude)
        else {
            throw DomainError(.invalidCoordinates, "Latitude must be within -90…90 and longitude within -180…180.")
        }
        guard accuracyMeters.isFinite, accuracyMeters >= 0, accuracyMeters <= Double(maxAccuracyMeters) else {
            throw DomainError(
                .accuracyTooLow,
                "Your location is not precise enough (must be within \(maxAccuracyMeters) m); wait for a better GPS fix or scan the QR code."
            )
        }
    }
}
