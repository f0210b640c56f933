import Foundation
import Testing

import FrontdeskCore

extension Permission: CustomTestStringConvertible {
    public var testDescription: String {
        switch self {
        case .member: ".member"
        case .staff: ".staff"
        case .manager: ".manager"
        }
    }
}

@Suite("Role and Permission")
struct RoleTests {
    @Test(
        "isStaff and isManager",
        arguments: [
            (Role.owner, true, true),
            (Role.admin, true, true),
            (Role.coach, true, false),
            (Role.member, false, false),
        ])
    func flags(role: Role, staff: Bool, manager: Bool) {
        #expect(role.isStaff == staff)
        #expect(role.isManager == manager)
    }

    @Test("roles order member < coach < admin < owner")
    func ordering() {
        #expect(Role.member < .coach)
        #expect(Role.coach < .admin)
        #expect(Role.admin < .owner)
        #expect(Role.member < .owner)
        #expect(!(Role.owner < .owner))
        #expect(!(Role.owner < .member))
        #expect(Role.allCases.sorted() == [.member, .coach, .admin, .owner])
        #expect(Role.allCases.max() == .owner)
        #expect(Role.allCases.min() == .member)
    }

    @Test("the order is a strict total order", arguments: Role.allCases, Role.allCases)
    func strictTotalOrder(a: Role, b: Role) {
        let relations = [a < b, a == b, b < a].filter { $0 }.count
        #expect(relations == 1)
    }

    @Test("a manager is staff")
    func managerImpliesStaff() {
        for role in Role.allCases where role.isManager { #expect(role.isStaff) }
    }

    @Test(
        "raw values are the stable wire names and round-trip through JSON",
        arguments: [
            (Role.owner, "owner"), (Role.admin, "admin"), (Role.coach, "coach"), (Role.member, "member"),
        ])
    func wireNames(role: Role, raw: String) throws {
        #expect(role.rawValue == raw)
        #expect(Role(rawValue: raw) == role)
        let data = try JSONEncoder().encode(role)
        #expect(String(decoding: data, as: UTF8.self) == "\"\(raw)\"")
        #expect(try JSONDecoder().decode(Role.self, from: data) == role)
    }

    @Test("unknown role names do not decode")
    func unknownRole() {
        #expect(Role(rawValue: "Owner") == nil)
        #expect(Role(rawValue: "superuser") == nil)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Role.self, from: Data("\"root\"".utf8)) }
    }

    static let permissionTable: [(Permission, Role, Bool)] = [
        (.member, .owner, true), (.member, .admin, true), (.member, .coach, true), (.member, .member, true),
        (.staff, .owner, true), (.staff, .admin, true), (.staff, .coach, true), (.staff, .member, false),
        (.manager, .owner, true), (.manager, .admin, true), (.manager, .coach, false), (.manager, .member, false),
    ]

    @Test("Permission.allows for every role × permission", arguments: permissionTable)
    func allows(permission: Permission, role: Role, expected: Bool) {
        #expect(permission.allows(role) == expected)
    }

    @Test("the table covers every role × permission exactly once")
    func tableIsComplete() {
        let pairs = Self.permissionTable.map { "\($0.0.testDescription)/\($0.1.rawValue)" }
        #expect(Set(pairs).count == 3 * Role.allCases.count)
        #expect(pairs.count == 3 * Role.allCases.count)
    }

    @Test(
        "permissions are monotonic: whatever a role may do, every higher role may do too",
        arguments: [Permission.member, .staff, .manager])
    func monotonic(permission: Permission) {
        for lower in Role.allCases {
            for higher in Role.allCases where lower < higher {
                if permission.allows(lower) { #expect(permission.allows(higher), "\(higher) lacks what \(lower) has") }
            }
        }
    }

    @Test("other enums keep their wire names")
    func otherEnums() {
        #expect(MembershipStatus.allCases.map(\.rawValue) == ["active", "suspended"])
        #expect(DeliveryMode.allCases.map(\.rawValue) == ["schedule", "feed", "coaching", "course"])
        #expect(SessionStatus.allCases.map(\.rawValue) == ["draft", "published", "cancelled"])
    }
}
