import Foundation
import Testing

import FrontdeskCore

/// Central-angle distance by the spherical law of cosines: a second formula to check Haversine
/// against (well conditioned for the long distances used here, unlike for a few metres).
private func lawOfCosinesMeters(_ lat1: Double, _ lon1: Double, _ lat2: Double, _ lon2: Double) -> Double {
    let (phi1, phi2) = (lat1 * .pi / 180, lat2 * .pi / 180)
    let deltaLambda = (lon2 - lon1) * .pi / 180
    let cosine = sin(phi1) * sin(phi2) + cos(phi1) * cos(phi2) * cos(deltaLambda)
    return Geo.earthRadiusMeters * acos(min(1, max(-1, cosine)))
}

/// Whether `value` is within `fraction` (relative) of `reference`.
private func isClose(_ value: Double, _ reference: Double, within fraction: Double) -> Bool {
    abs(value - reference) <= abs(reference) * fraction
}

@Suite("Geo.distanceMeters")
struct GeoDistanceTests {
    @Test("the mean Earth radius of SPEC §6")
    func radius() {
        #expect(Geo.earthRadiusMeters == 6_371_008.8)
    }

    @Test(
        "known city pairs agree with the law of cosines and with published distances within 0.5 %",
        arguments: [
            // name, from, to, published great-circle distance (km)
            ("Eiffel Tower → Big Ben", 48.8584, 2.2945, 51.5007, -0.1246, 340.6),
            ("JFK → LAX", 40.6413, -73.7781, 33.9416, -118.4085, 3_983.0),
        ])
    func cityPairs(name: String, lat1: Double, lon1: Double, lat2: Double, lon2: Double, publishedKm: Double) {
        let haversine = Geo.distanceMeters(latitude1: lat1, longitude1: lon1, latitude2: lat2, longitude2: lon2)
        let cosines = lawOfCosinesMeters(lat1, lon1, lat2, lon2)
        #expect(isClose(haversine, cosines, within: 1e-9), "\(name): \(haversine) vs law of cosines \(cosines)")
        #expect(isClose(haversine, publishedKm * 1000, within: 0.005), "\(name): \(haversine) m")
        let back = Geo.distanceMeters(latitude1: lat2, longitude1: lon2, latitude2: lat1, longitude2: lon1)
        #expect(isClose(back, haversine, within: 1e-12), "not symmetric")
    }

    @Test("zero distance", arguments: [(0.0, 0.0), (48.8584, 2.2945), (90, 0), (-90, 180), (-33.8568, 151.2153)])
    func zero(latitude: Double, longitude: Double) {
        #expect(Geo.distanceMeters(latitude1: latitude, longitude1: longitude, latitude2: latitude, longitude2: longitude) == 0)
    }

    @Test(
        "antipodes are half a great circle, π·R, without NaN",
        arguments: [
            (0.0, 0.0, 0.0, 180.0), (45.0, 30.0, -45.0, -150.0), (90.0, 0.0, -90.0, 0.0), (48.8584, 2.2945, -48.8584, -177.7055),
        ])
    func antipodes(lat1: Double, lon1: Double, lat2: Double, lon2: Double) {
        let distance = Geo.distanceMeters(latitude1: lat1, longitude1: lon1, latitude2: lat2, longitude2: lon2)
        #expect(!distance.isNaN)
        #expect(isClose(distance, .pi * Geo.earthRadiusMeters, within: 1e-9), "\(distance)")
    }

    @Test("stays exact at check-in scale: along a meridian the distance is R·Δφ")
    func shortDistances() {
        for metres in [1.0, 5.0, 25.0, 100.0, 1_000.0] {
            let deltaDegrees = metres / Geo.earthRadiusMeters * 180 / .pi
            let distance = Geo.distanceMeters(latitude1: 48.8584, longitude1: 2.2945, latitude2: 48.8584 + deltaDegrees, longitude2: 2.2945)
            #expect(abs(distance - metres) < 1e-6, "\(metres) m measured as \(distance) m")
        }
        // Along the equator likewise.
        let oneMetre = 1 / Geo.earthRadiusMeters * 180 / .pi
        #expect(abs(Geo.distanceMeters(latitude1: 0, longitude1: 0, latitude2: 0, longitude2: oneMetre) - 1) < 1e-6)
    }

    @Test("crossing the antimeridian takes the short way")
    func antimeridian() {
        let distance = Geo.distanceMeters(latitude1: 0, longitude1: 179.9995, latitude2: 0, longitude2: -179.9995)
        #expect(isClose(distance, 0.001 * .pi / 180 * Geo.earthRadiusMeters, within: 1e-6), "\(distance)")
    }
}

@Suite("Geo.validate")
struct GeoValidateTests {
    /// Runs `validate` and expects a 400 with `code`.
    func expectRefusal(
        _ code: String, latitude: Double = 48.85, longitude: Double = 2.29, accuracy: Double = 10, max: Int = 50,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let error = #expect(throws: DomainError.self, sourceLocation: sourceLocation) {
            try Geo.validate(latitude: latitude, longitude: longitude, accuracyMeters: accuracy, maxAccuracyMeters: max)
        }
        #expect(error?.status == 400, sourceLocation: sourceLocation)
        #expect(error?.code == code, sourceLocation: sourceLocation)
    }

    @Test("accepts the boundaries and ordinary fixes")
    func accepted() throws {
        for (latitude, longitude) in [(0.0, 0.0), (90, 180), (-90, -180), (48.8584, 2.2945), (-0.0, -0.0)] {
            try Geo.validate(latitude: latitude, longitude: longitude, accuracyMeters: 5, maxAccuracyMeters: 50)
        }
        try Geo.validate(latitude: 1, longitude: 1, accuracyMeters: 0, maxAccuracyMeters: 50)
        try Geo.validate(latitude: 1, longitude: 1, accuracyMeters: 50, maxAccuracyMeters: 50)
    }

    @Test(
        "coordinates outside the globe or not finite are invalid_coordinates",
        arguments: [
            (90.000001, 0.0), (-90.000001, 0.0), (0.0, 180.000001), (0.0, -180.000001), (1e9, 0.0), (0.0, -1e9),
            (.nan, 0.0), (0.0, .nan), (.infinity, 0.0), (0.0, -.infinity), (.signalingNaN, .signalingNaN),
        ])
    func invalidCoordinates(latitude: Double, longitude: Double) {
        expectRefusal("invalid_coordinates", latitude: latitude, longitude: longitude)
    }

    @Test("coordinates are checked before accuracy")
    func coordinatesFirst() {
        expectRefusal("invalid_coordinates", latitude: 91, accuracy: .nan)
    }

    @Test(
        "accuracy worse than the limit, negative or not finite is accuracy_too_low",
        arguments: [
            50.000001, 51, 1e9, -0.000001, -1, .nan, .infinity, -.infinity,
        ])
    func accuracyTooLow(accuracy: Double) {
        expectRefusal("accuracy_too_low", accuracy: accuracy)
    }

    @Test("a limit of zero accepts only a perfect fix; a negative limit accepts nothing")
    func limits() throws {
        try Geo.validate(latitude: 1, longitude: 1, accuracyMeters: 0, maxAccuracyMeters: 0)
        expectRefusal("accuracy_too_low", accuracy: 0.5, max: 0)
        expectRefusal("accuracy_too_low", accuracy: 0, max: -1)
    }
}
