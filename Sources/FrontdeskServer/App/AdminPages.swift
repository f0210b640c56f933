import Hummingbird

/// Every back-office page of the admin shell (bulk changes and the dashboard register themselves).
struct AdminPages {
    let services: AppServices

    func register(_ root: Routes) {
        AdminMembersPage(services: services).register(root)
        AdminMemberPage(services: services).register(root)
        AdminPlansPage(services: services).register(root)
        AdminCatalogPage(services: services).register(root)
        AdminSettingsPage(services: services).register(root)
        AdminTimetablePage(services: services).register(root)
        AdminDisplaysPage(services: services).register(root)
        AdminNotificationsPage(services: services).register(root)
        AdminAuditPage(services: services).register(root)
    }
}
